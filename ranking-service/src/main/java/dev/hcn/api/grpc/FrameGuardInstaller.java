package dev.hcn.api.grpc;

import io.grpc.ServerBuilder;
import io.grpc.internal.ObjectPool;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.util.AsciiString;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Puts a {@link GrpcFrameGuard} in front of gRPC's frame listener on every connection of a Netty
 * gRPC server. grpc-java creates each connection's HTTP/2 handler, then asks the server's protocol
 * negotiator for the handler that starts it; the negotiator installed here wraps the server's own
 * one and, at that moment, before any frame is read, wraps the handler's frame listener.
 *
 * <p>Spring gRPC builds the server from {@code ServerCredentials}, which freezes the negotiator,
 * and grpc-java's negotiator types are package-private. So this class reads and replaces the
 * builder's private {@code protocolNegotiatorFactory} and calls the wrapped negotiator reflectively
 * (ADR 10). If a grpc-java version no longer has them, {@link #install} fails and the service does
 * not start: it never runs without the guard unnoticed.
 */
final class FrameGuardInstaller {

  private static final String FACTORY_FIELD = "protocolNegotiatorFactory";

  private FrameGuardInstaller() {}

  /**
   * Installs the guard on the server, which must be grpc-netty's.
   *
   * @throws IllegalStateException for any other server (grpc-netty-shaded, a servlet container),
   *     which would otherwise run without the guard
   */
  static void installOn(
      ServerBuilder<?> builder, long maxMessageBytes, TransportOutcomes outcomes) {
    if (!(builder instanceof NettyServerBuilder netty)) {
      throw new IllegalStateException(
          "the gRPC frame guard needs grpc-netty's server, not "
              + builder.getClass().getName()
              + " (see docs/adr/0010)");
    }
    install(netty, maxMessageBytes, outcomes);
  }

  /**
   * @param maxMessageBytes the server's inbound message limit, which the guard enforces on each
   *     message's length prefix
   * @throws IllegalStateException when this grpc-java version has no such hook
   */
  private static void install(
      NettyServerBuilder builder, long maxMessageBytes, TransportOutcomes outcomes) {
    try {
      Field field = NettyServerBuilder.class.getDeclaredField(FACTORY_FIELD);
      field.setAccessible(true);
      Object servers = field.get(builder);
      Method newNegotiator = accessible(field.getType(), "newNegotiator", ObjectPool.class);
      Class<?> negotiatorType = newNegotiator.getReturnType();
      var methods =
          new NegotiatorMethods(
              accessible(negotiatorType, "scheme"),
              accessible(negotiatorType, "newHandler", GrpcHttp2ConnectionHandler.class),
              accessible(negotiatorType, "close"));
      InternalProtocolNegotiator.ServerFactory guarded =
          pool ->
              new Guarded(invoke(newNegotiator, servers, pool), methods, maxMessageBytes, outcomes);
      field.set(builder, guarded);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot install the gRPC frame guard: grpc-java's NettyServerBuilder has no "
              + FACTORY_FIELD
              + " of the expected shape (see docs/adr/0010)",
          e);
    }
  }

  private static Method accessible(Class<?> type, String name, Class<?>... parameters)
      throws NoSuchMethodException {
    Method method = type.getMethod(name, parameters);
    method.setAccessible(true);
    return method;
  }

  private static Object invoke(Method method, Object target, Object... arguments) {
    try {
      return method.invoke(target, arguments);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** grpc-java's package-private {@code ProtocolNegotiator} interface, reflected. */
  private record NegotiatorMethods(Method scheme, Method newHandler, Method close) {}

  /** The server's own negotiator, with the guard installed on each connection it starts. */
  private record Guarded(
      Object negotiator,
      NegotiatorMethods methods,
      long maxMessageBytes,
      TransportOutcomes outcomes)
      implements InternalProtocolNegotiator.ProtocolNegotiator {

    @Override
    public AsciiString scheme() {
      return (AsciiString) invoke(methods.scheme(), negotiator);
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
      Http2ConnectionDecoder decoder = grpcHandler.decoder();
      decoder.frameListener(
          new GrpcFrameGuard(decoder.frameListener(), grpcHandler, maxMessageBytes, outcomes));
      return (ChannelHandler) invoke(methods.newHandler(), negotiator, grpcHandler);
    }

    @Override
    public void close() {
      invoke(methods.close(), negotiator);
    }
  }
}
