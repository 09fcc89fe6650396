package dev.hcn.api.grpc;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.netty.buffer.ByteBuf;

/**
 * Follows the length-prefixed messages of one gRPC request stream across its DATA frames: a flag
 * byte, a 4-byte big-endian length, then that many bytes. It reads the frames in place (no copy, no
 * change to their reader index) and reports the first framing fault, so that {@link GrpcFrameGuard}
 * can answer it as bad input before gRPC's deframer answers it as INTERNAL.
 *
 * <p>Faults, in the order they can be seen: reserved flag bits (only bit 0, "compressed", is
 * defined); a compressed message on a call that declared no {@code grpc-encoding}; a length over
 * the inbound limit (refused on its prefix, before any of the message is buffered); and, at the end
 * of the stream, a message or prefix cut short. The checks are gRPC's own, so a stream that passes
 * them reaches the deframer unchanged and behaves exactly as without the guard.
 *
 * <p>Not thread-safe: one instance per stream, used on the connection's event loop.
 */
final class MessageFraming {

  private static final int PREFIX_BYTES = 5;
  private static final int COMPRESSED = 1;

  private final boolean compressionDeclared;
  private final long maxMessageBytes;

  /** Bytes of the current prefix read so far (0 between messages). */
  private int prefixRead;

  private int flags;
  private long length;

  /** Bytes of the current message still to come. */
  private long remaining;

  private boolean faulted;

  /**
   * @param compressionDeclared the call's {@code grpc-encoding} names a compression (not identity)
   * @param maxMessageBytes the inbound limit on one message's bytes as sent
   */
  MessageFraming(boolean compressionDeclared, long maxMessageBytes) {
    this.compressionDeclared = compressionDeclared;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Reads one DATA frame's readable bytes.
   *
   * @return the fault found in them, or null; after a fault nothing more is read
   */
  RankingException read(ByteBuf data) {
    if (faulted) {
      return null;
    }
    int i = data.readerIndex();
    int end = data.writerIndex();
    while (i < end) {
      if (remaining > 0) {
        int skip = (int) Math.min(remaining, end - i);
        i += skip;
        remaining -= skip;
        continue;
      }
      int b = data.getUnsignedByte(i++);
      if (prefixRead == 0) {
        flags = b;
        length = 0;
      } else {
        length = (length << 8) | b;
      }
      if (++prefixRead == PREFIX_BYTES) {
        prefixRead = 0;
        RankingException fault = checkPrefix();
        if (fault != null) {
          faulted = true;
          return fault;
        }
        remaining = length;
      }
    }
    return null;
  }

  /**
   * The stream has ended (END_STREAM).
   *
   * @return a fault when it ended inside a message or its prefix, else null
   */
  RankingException end() {
    if (faulted || (prefixRead == 0 && remaining == 0)) {
      return null;
    }
    faulted = true;
    String where =
        prefixRead > 0
            ? "inside a message's 5-byte length prefix (" + prefixRead + " bytes came)"
            : "inside a message: " + (length - remaining) + " of its " + length + " bytes came";
    return new RankingException(ErrorType.MALFORMED_BODY, "the stream ended " + where);
  }

  private RankingException checkPrefix() {
    if ((flags & ~COMPRESSED) != 0) {
      return new RankingException(
          ErrorType.MALFORMED_BODY,
          "a message's flag byte is " + flags + "; only 0 and 1 (compressed) are defined");
    }
    if ((flags & COMPRESSED) != 0 && !compressionDeclared) {
      return new RankingException(
          ErrorType.MALFORMED_BODY, "a message is marked compressed but the call has no encoding");
    }
    if (length > maxMessageBytes) {
      return new RankingException(
          ErrorType.PAYLOAD_TOO_LARGE,
          "a message of "
              + length
              + " bytes exceeds maximum size "
              + maxMessageBytes
              + " bytes (hcn.grpc.max-inbound-message-size)");
    }
    return null;
  }
}
