package dev.hcn.api.grpc;

import dev.hcn.ranking.RankingException;
import io.grpc.InternalStatus;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.internal.TransportFrameUtil;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sits between the HTTP/2 decoder and gRPC's own frame listener on every connection, and answers
 * the broken streams that grpc-java's transport would answer with INTERNAL or a reset stream:
 * request headers that are not gRPC's ({@link GrpcRequestHeaders}) and broken message framing
 * ({@link MessageFraming}). Those become INVALID_ARGUMENT, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED
 * with the stable error type, as every other bad input (ADR 10). Everything else passes through
 * untouched: the guard reads frames in place and forwards the same objects.
 *
 * <p>A refused stream gets a trailers-only answer and, while the caller may still be sending, a
 * RST_STREAM NO_ERROR (HTTP/2's "answer complete, stop sending"); the connection stays open. If
 * gRPC already knows the stream, the guard first hands gRPC a reset for it, so that the call ends
 * there as a cancelled one and frees its state; the stream's tracer counts it under the code the
 * caller got ({@link TransportOutcomes}). Bytes of refused frames go straight back to flow control.
 *
 * <p>Runs on the connection's event loop, like every frame listener: no locking.
 */
final class GrpcFrameGuard extends Http2FrameListenerDecorator {

  private static final AsciiString GRPC = AsciiString.cached("application/grpc");

  private final Http2ConnectionHandler handler;
  private final Http2Connection.PropertyKey framingKey;
  private final long maxMessageBytes;
  private final TransportOutcomes outcomes;

  /** One stream the guard follows: its framing, and where a refusal records its code. */
  private record Followed(MessageFraming framing, AtomicReference<Status.Code> refusedWith) {}

  /** Headers that go on to gRPC on a stream the guard does not follow. */
  private static final Followed UNFOLLOWED = new Followed(null, null);

  GrpcFrameGuard(
      Http2FrameListener grpc,
      Http2ConnectionHandler handler,
      long maxMessageBytes,
      TransportOutcomes outcomes) {
    super(grpc);
    this.handler = handler;
    this.framingKey = handler.connection().newKey();
    this.maxMessageBytes = maxMessageBytes;
    this.outcomes = outcomes;
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end)
      throws Http2Exception {
    Followed followed = admit(ctx, streamId, headers, end);
    if (followed != null) {
      outcomes.passingHeaders(
          followed.refusedWith(),
          () -> listener.onHeadersRead(ctx, streamId, headers, padding, end));
    }
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean end)
      throws Http2Exception {
    Followed followed = admit(ctx, streamId, headers, end);
    if (followed != null) {
      outcomes.passingHeaders(
          followed.refusedWith(),
          () ->
              listener.onHeadersRead(
                  ctx, streamId, headers, streamDependency, weight, exclusive, padding, end));
    }
  }

  @Override
  public int onDataRead(
      ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end)
      throws Http2Exception {
    Http2Stream stream = handler.connection().stream(streamId);
    Followed followed = stream == null ? null : stream.getProperty(framingKey);
    if (followed == null) {
      return listener.onDataRead(ctx, streamId, data, padding, end);
    }
    if (followed.refusedWith().get() != null) {
      return data.readableBytes() + padding; // refused: gRPC has seen the end of this stream
    }
    RankingException fault = followed.framing().read(data);
    if (fault == null && end) {
      fault = followed.framing().end();
    }
    if (fault == null) {
      return listener.onDataRead(ctx, streamId, data, padding, end);
    }
    refuseKnown(ctx, stream, followed, fault, end);
    return data.readableBytes() + padding; // not delivered: all of it is processed
  }

  /**
   * Decides on a HEADERS frame: a first one is checked as request headers; a later one (the
   * caller's trailers) ends the stream, which must not be inside a message.
   *
   * @return the stream as the guard follows it (its refusal slot goes with the headers to gRPC), or
   *     null when gRPC does not get the frame
   */
  private Followed admit(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean end)
      throws Http2Exception {
    Http2Stream stream = handler.connection().stream(streamId);
    if (stream == null) {
      return UNFOLLOWED; // the decoder creates the stream first; without one gRPC decides
    }
    Followed followed = stream.getProperty(framingKey);
    if (followed != null) {
      if (followed.refusedWith().get() != null) {
        return null;
      }
      RankingException fault = end ? followed.framing().end() : null;
      if (fault != null) {
        refuseKnown(ctx, stream, followed, fault, true);
        return null;
      }
      return followed;
    }
    GrpcRequestHeaders.Refusal refusal = GrpcRequestHeaders.check(headers);
    if (refusal != null) {
      outcomes.refusedBeforeCall(GrpcErrorMapping.code(refusal.error().type()));
      answer(ctx, stream, refusal.httpStatus(), refusal.error(), end);
      return null;
    }
    followed =
        new Followed(
            new MessageFraming(GrpcRequestHeaders.declaresCompression(headers), maxMessageBytes),
            new AtomicReference<>());
    stream.setProperty(framingKey, followed);
    return followed;
  }

  /** Refuses a stream that gRPC already has: gRPC sees it reset, the caller gets the error. */
  private void refuseKnown(
      ChannelHandlerContext ctx,
      Http2Stream stream,
      Followed followed,
      RankingException error,
      boolean callerEnded)
      throws Http2Exception {
    followed.refusedWith().set(GrpcErrorMapping.code(error.type()));
    listener.onRstStreamRead(ctx, stream.id(), Http2Error.CANCEL.code());
    answer(ctx, stream, GrpcRequestHeaders.TRAILERS_ONLY, error, callerEnded);
  }

  /**
   * Writes the error as the stream's end (trailers-only, or trailers after gRPC's headers), unless
   * gRPC already ended it, then stops the caller's sending if it has not ended.
   */
  private void answer(
      ChannelHandlerContext ctx,
      Http2Stream stream,
      int httpStatus,
      RankingException error,
      boolean callerEnded) {
    if (stream.state().localSideOpen()) {
      Http2Headers headers = statusHeaders(GrpcErrorMapping.toStatus(error));
      if (!stream.isHeadersSent()) {
        headers.status(AsciiString.of(Integer.toString(httpStatus)));
        headers.set(GrpcRequestHeaders.CONTENT_TYPE, GRPC);
      }
      handler.encoder().writeHeaders(ctx, stream.id(), headers, 0, true, ctx.newPromise());
    }
    if (!callerEnded && stream.state().remoteSideOpen()) {
      handler.resetStream(ctx, stream.id(), Http2Error.NO_ERROR.code(), ctx.newPromise());
    }
  }

  /** grpc-status, grpc-message and the details trailer, encoded as gRPC's transport does. */
  private static Http2Headers statusHeaders(StatusException error) {
    Metadata trailers = new Metadata();
    if (error.getTrailers() != null) {
      trailers.merge(error.getTrailers());
    }
    Status status = error.getStatus();
    trailers.put(InternalStatus.CODE_KEY, status);
    if (status.getDescription() != null) {
      trailers.put(InternalStatus.MESSAGE_KEY, status.getDescription());
    }
    byte[][] pairs = TransportFrameUtil.toHttp2Headers(trailers);
    Http2Headers headers = new DefaultHttp2Headers(true, pairs.length / 2 + 2);
    for (int i = 0; i < pairs.length; i += 2) {
      headers.add(new AsciiString(pairs[i], false), new AsciiString(pairs[i + 1], false));
    }
    return headers;
  }
}
