package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.primitives.Bytes;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageFraming} over streams of messages cut into DATA frames at random points, prefixes
 * included: well-framed streams pass whatever the cuts, every fault is found wherever it falls, and
 * the frames are never consumed.
 */
class MessageFramingTest {

  private static final int LIMIT = 1000;
  private static final int CASES = 2000;

  @Test
  void wellFramedStreamsPassHoweverTheyAreCut() {
    SplittableRandom r = new SplittableRandom(1);
    for (int c = 0; c < CASES; c++) {
      byte[] stream = messages(r, 1 + r.nextInt(4), r.nextBoolean() ? 1 : 0);
      MessageFraming framing = new MessageFraming(true, LIMIT);
      for (ByteBuf frame : cut(stream, r)) {
        int before = frame.readerIndex();
        assertThat(framing.read(frame)).as("case %d", c).isNull();
        assertThat(frame.readerIndex()).isEqualTo(before);
      }
      assertThat(framing.end()).as("case %d", c).isNull();
    }
  }

  @Test
  void aStreamEndingInsideAMessageOrItsPrefixIsMalformed() {
    SplittableRandom r = new SplittableRandom(2);
    for (int c = 0; c < CASES; c++) {
      byte[] whole = messages(r, 1 + r.nextInt(3), 0);
      int length = r.nextInt(whole.length);
      byte[] stream = Arrays.copyOf(whole, length);
      MessageFraming framing = new MessageFraming(false, LIMIT);
      for (ByteBuf frame : cut(stream, r)) {
        assertThat(framing.read(frame)).isNull();
      }
      RankingException end = framing.end();
      if (atBoundary(whole, length)) {
        assertThat(end).as("cut at a message boundary, %d of %d", length, whole.length).isNull();
      } else {
        assertThat(end).as("cut at %d of %d", length, whole.length).isNotNull();
        assertThat(end.type()).isEqualTo(ErrorType.MALFORMED_BODY);
      }
    }
  }

  @Test
  void eachPrefixFaultIsFoundWhereverTheFramesAreCut() {
    SplittableRandom r = new SplittableRandom(3);
    for (int c = 0; c < CASES; c++) {
      byte[] good = messages(r, r.nextInt(3), 0);
      int fault = r.nextInt(3);
      byte[] bad =
          switch (fault) {
            case 0 -> RawGrpc.frame(2 + r.nextInt(254), 4, new byte[4]); // reserved flag bits
            case 1 -> RawGrpc.frame(1, 4, new byte[4]); // compressed, no encoding declared
            default ->
                RawGrpc.frame(0, LIMIT + 1 + r.nextInt(1 << 20), new byte[0]); // over the limit
          };
      byte[] stream = Bytes.concat(good, bad);
      MessageFraming framing = new MessageFraming(false, LIMIT);
      RankingException found = null;
      for (ByteBuf frame : cut(stream, r)) {
        RankingException e = framing.read(frame);
        if (e != null) {
          assertThat(found).as("one fault is reported once").isNull();
          found = e;
        }
      }
      assertThat(found).as("case %d, fault %d", c, fault).isNotNull();
      assertThat(found.type())
          .isEqualTo(fault == 2 ? ErrorType.PAYLOAD_TOO_LARGE : ErrorType.MALFORMED_BODY);
      assertThat(framing.end()).as("nothing more after a fault").isNull();
    }
  }

  @Test
  void theLimitIsInclusiveAndLengthsAreUnsigned() {
    assertThat(new MessageFraming(false, 4).read(oneFrame(0, 4, new byte[4]))).isNull();
    assertThat(new MessageFraming(false, 4).read(oneFrame(0, 5, new byte[5])).type())
        .isEqualTo(ErrorType.PAYLOAD_TOO_LARGE);
    RankingException huge =
        new MessageFraming(false, Integer.MAX_VALUE).read(oneFrame(0, -1, new byte[0]));
    assertThat(huge.getMessage()).contains("4294967295 bytes");
    assertThat(new MessageFraming(true, 4).read(oneFrame(1, 4, new byte[4]))).isNull();
  }

  /** One message as one DATA frame. */
  private static ByteBuf oneFrame(int flag, int declaredLength, byte[] message) {
    return Unpooled.wrappedBuffer(RawGrpc.frame(flag, declaredLength, message));
  }

  /** One or more messages of random lengths (zero included) with the given flag. */
  private static byte[] messages(SplittableRandom r, int count, int flag) {
    var out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      byte[] body = new byte[r.nextInt(r.nextBoolean() ? 8 : LIMIT + 1)];
      r.nextBytes(body);
      out.writeBytes(RawGrpc.frame(flag, body.length, body));
    }
    return out.toByteArray();
  }

  private static boolean atBoundary(byte[] stream, int at) {
    int i = 0;
    while (i < at) {
      long length =
          ((stream[i + 1] & 0xffL) << 24)
              | ((stream[i + 2] & 0xff) << 16)
              | ((stream[i + 3] & 0xff) << 8)
              | (stream[i + 4] & 0xff);
      i += 5 + (int) length;
    }
    return i == at;
  }

  /** The stream as frames cut at random points; some frames are empty. */
  private static List<ByteBuf> cut(byte[] stream, SplittableRandom r) {
    List<ByteBuf> frames = new ArrayList<>();
    int at = 0;
    while (at < stream.length) {
      int size = Math.min(stream.length - at, r.nextInt(r.nextBoolean() ? 7 : 600));
      ByteBuf frame = Unpooled.buffer(size + 8);
      frame.writerIndex(3).readerIndex(3); // not at offset 0: the scan must honour indices
      frame.writeBytes(stream, at, size);
      frames.add(frame);
      at += size;
    }
    return frames;
  }
}
