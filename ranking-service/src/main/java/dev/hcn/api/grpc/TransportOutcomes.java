package dev.hcn.api.grpc;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * Counts the gRPC calls that ended before the service answered them: a broken stream or a message
 * over the inbound limit ({@link GrpcFrameGuard}, which no interceptor or handler sees), a caller
 * that cancelled or went away (CANCELLED), a deadline that passed first. The service counts every
 * call it answers itself; these it never sees end.
 *
 * <p>A stream tracer sees every stream close, whoever closed it; an interceptor marks the calls the
 * service closed. The mark travels in the call's {@link Context}, which the tracer creates.
 *
 * <p>Streams that {@link GrpcFrameGuard} refuses are counted under the code their caller got: once
 * here if gRPC never saw the stream, else by the stream's tracer, which gRPC sees close as
 * cancelled but which finds the guard's code in the slot it was created with.
 */
@Component
public class TransportOutcomes {

  private static final Context.Key<AtomicBoolean> ANSWERED = Context.key("hcn-call-answered");

  /**
   * The guard's refusal slot of the stream whose headers gRPC is reading on this thread: gRPC
   * creates the stream's tracer inside that call, on the connection's event loop.
   */
  private static final ThreadLocal<AtomicReference<Status.Code>> GUARDED = new ThreadLocal<>();

  /** Hands a stream's headers to gRPC. */
  @FunctionalInterface
  interface PassOn<E extends Exception> {
    void run() throws E;
  }

  private final MeterRegistry registry;
  private final Map<Status.Code, Counter> counters = new ConcurrentHashMap<>();

  public TransportOutcomes(MeterRegistry registry) {
    this.registry = registry;
    // The usual ones exist from the start, so that a rate of them can be alerted on.
    counter(Status.Code.RESOURCE_EXHAUSTED);
    counter(Status.Code.CANCELLED);
  }

  /** Registered on the server: one tracer per stream. */
  ServerStreamTracer.Factory tracers() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        AtomicBoolean answered = new AtomicBoolean();
        AtomicReference<Status.Code> refusedWith = GUARDED.get();
        return new ServerStreamTracer() {
          @Override
          public Context filterContext(Context context) {
            return context.withValue(ANSWERED, answered);
          }

          @Override
          public void streamClosed(Status status) {
            if (!status.isOk() && !answered.get()) {
              Status.Code guard = refusedWith == null ? null : refusedWith.get();
              counter(guard == null ? status.getCode() : guard).increment();
            }
          }
        };
      }
    };
  }

  /** Registered on the server: marks a call as answered when the service closes it. */
  ServerInterceptor marker() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        AtomicBoolean answered = ANSWERED.get();
        if (answered == null) {
          return next.startCall(call, headers);
        }
        ServerCall<Q, R> marking =
            new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                answered.set(true); // before the close, so that the tracer sees it
                super.close(status, trailers);
              }
            };
        return next.startCall(marking, headers);
      }
    };
  }

  /**
   * Runs {@code headers}, which hands a stream's headers to gRPC, so that the stream's tracer keeps
   * {@code refusedWith}: the guard sets there the code it answers the stream with, if it does.
   */
  <E extends Exception> void passingHeaders(
      AtomicReference<Status.Code> refusedWith, PassOn<E> headers) throws E {
    GUARDED.set(refusedWith);
    try {
      headers.run();
    } finally {
      GUARDED.remove();
    }
  }

  /** A stream the guard answered before gRPC saw it. */
  void refusedBeforeCall(Status.Code code) {
    counter(code).increment();
  }

  private Counter counter(Status.Code code) {
    return counters.computeIfAbsent(
        code,
        c ->
            Counter.builder("hcn.grpc.unanswered")
                .description("gRPC calls that ended before the service answered, by status")
                .tag("code", c.name())
                .register(registry));
  }
}
