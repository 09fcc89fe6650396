package dev.hcn.api.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client that sends gRPC requests exactly as given: any headers (or none of gRPC's), and
 * body bytes that need not be well-formed gRPC frames. One connection carries every stream, so a
 * test sees whether the server keeps it: a GOAWAY or a closed connection is recorded, never hidden
 * by a reconnect.
 */
final class RawGrpc implements AutoCloseable {

  /** What came back on one stream. {@code reset} is the RST_STREAM code, or -1 when none came. */
  record Answer(Http2Headers headers, Http2Headers trailers, byte[] body, long reset) {

    /** Where the gRPC status is: the trailers, or the headers of a trailers-only answer. */
    private Http2Headers statusHeaders() {
      return trailers != null ? trailers : headers;
    }

    Integer grpcStatus() {
      CharSequence value = statusHeaders() == null ? null : statusHeaders().get("grpc-status");
      return value == null ? null : Integer.valueOf(value.toString());
    }

    String grpcMessage() {
      CharSequence value = statusHeaders() == null ? null : statusHeaders().get("grpc-message");
      return value == null ? "" : value.toString();
    }

    /** The answer as a gRPC client sees it, details trailer included (for GrpcTestClient). */
    StatusRuntimeException asStatus() {
      Metadata metadata = new Metadata();
      CharSequence details =
          statusHeaders() == null ? null : statusHeaders().get("grpc-status-details-bin");
      if (details != null) {
        metadata.put(
            Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER),
            Base64.getDecoder().decode(details.toString()));
      }
      return Status.fromCodeValue(grpcStatus())
          .withDescription(grpcMessage())
          .asRuntimeException(metadata);
    }

    String httpStatus() {
      return headers == null ? null : String.valueOf(headers.status());
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel connection;
  private final List<Object> connectionEvents = new ArrayList<>();

  RawGrpc(int port) throws InterruptedException {
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                            new ConnectionWatch());
                  }
                });
    connection = bootstrap.connect("localhost", port).sync().channel();
  }

  /** GOAWAY frames and closes seen on the connection, in order. */
  synchronized List<Object> connectionEvents() {
    return List.copyOf(connectionEvents);
  }

  boolean open() {
    return connection.isActive();
  }

  /**
   * Sends one request and waits for the whole answer.
   *
   * @param headers every header, pseudo-headers included ({@code :method}, {@code :path} ...)
   * @param body the DATA bytes, sent with END_STREAM
   */
  Answer exchange(Map<String, String> headers, byte[] body) throws Exception {
    return exchange(headers, body.length == 0 ? List.of() : List.of(body));
  }

  /**
   * Sends one request whose body comes in the given DATA frames, the last with END_STREAM (none:
   * the headers end the stream), and waits for the whole answer.
   */
  Answer exchange(Map<String, String> headers, List<byte[]> frames) throws Exception {
    var answer = new CompletableFuture<Answer>();
    Http2StreamChannel stream =
        new Http2StreamChannelBootstrap(connection)
            .handler(new StreamCollector(answer))
            .open()
            .sync()
            .getNow();
    Http2Headers h = new DefaultHttp2Headers(false);
    headers.forEach(h::add);
    stream.write(new DefaultHttp2HeadersFrame(h, frames.isEmpty()));
    for (int i = 0; i < frames.size(); i++) {
      boolean last = i == frames.size() - 1;
      stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(frames.get(i)), last));
    }
    stream.flush();
    try {
      return answer.get(30, TimeUnit.SECONDS);
    } finally {
      stream.close();
    }
  }

  /**
   * The headers of a well-formed gRPC request to {@code path}, in order; callers may change them.
   */
  static Map<String, String> grpcHeaders(String path) {
    var h = new LinkedHashMap<String, String>();
    h.put(":method", "POST");
    h.put(":scheme", "http");
    h.put(":authority", "localhost");
    h.put(":path", path);
    h.put("content-type", "application/grpc");
    h.put("te", "trailers");
    return h;
  }

  /** A gRPC length-prefixed message: flag byte, 4-byte big-endian length, the bytes. */
  static byte[] frame(int flag, int declaredLength, byte[] message) {
    byte[] out = new byte[5 + message.length];
    out[0] = (byte) flag;
    out[1] = (byte) (declaredLength >>> 24);
    out[2] = (byte) (declaredLength >>> 16);
    out[3] = (byte) (declaredLength >>> 8);
    out[4] = (byte) declaredLength;
    System.arraycopy(message, 0, out, 5, message.length);
    return out;
  }

  @Override
  public void close() {
    connection.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class ConnectionWatch extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame goAway) {
        synchronized (RawGrpc.this) {
          connectionEvents.add("GOAWAY " + goAway.errorCode());
        }
      }
      io.netty.util.ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      synchronized (RawGrpc.this) {
        connectionEvents.add("closed");
      }
    }
  }

  /** Collects one stream's frames until it ends or is reset. */
  private static final class StreamCollector extends SimpleChannelInboundHandler<Http2StreamFrame> {
    private final CompletableFuture<Answer> answer;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Http2Headers headers;
    private Http2Headers trailers;

    StreamCollector(CompletableFuture<Answer> answer) {
      this.answer = answer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
      boolean end = false;
      if (frame instanceof Http2HeadersFrame h) {
        if (headers == null) {
          headers = h.headers();
        } else {
          trailers = h.headers();
        }
        end = h.isEndStream();
      } else if (frame instanceof Http2DataFrame d) {
        ByteBuf content = d.content();
        byte[] bytes = new byte[content.readableBytes()];
        content.readBytes(bytes);
        body.writeBytes(bytes);
        end = d.isEndStream();
      } else if (frame instanceof Http2ResetFrame r) {
        answer.complete(new Answer(headers, trailers, body.toByteArray(), r.errorCode()));
        return;
      }
      if (end) {
        answer.complete(new Answer(headers, trailers, body.toByteArray(), -1));
      }
    }

    /** The multiplexer hands a stream's RST_STREAM to its channel as an event. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof Http2ResetFrame r) {
        answer.complete(new Answer(headers, trailers, body.toByteArray(), r.errorCode()));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      answer.completeExceptionally(new IllegalStateException("stream closed without an end"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      answer.completeExceptionally(cause);
    }
  }
}
