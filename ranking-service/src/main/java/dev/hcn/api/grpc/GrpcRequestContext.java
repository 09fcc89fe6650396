package dev.hcn.api.grpc;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RequestContext;
import io.grpc.Context;
import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A gRPC call's life as the ranking flow sees it: the deadline and cancellation of the {@link
 * Context} the call runs in. gRPC cancels that context when the client's deadline passes or the
 * client goes away, so every checkpoint of the flow stops work for a caller who left.
 */
final class GrpcRequestContext implements RequestContext {

  static final String API = "grpc";

  /**
   * How close to its deadline a cancellation counts as the deadline; see {@link #nearlyExpired}.
   */
  static final long DEADLINE_SLACK_MS = 100;

  private final Context context;
  private final long queuedNanos;
  private final boolean queueFull;
  // The queue the call runs from; null outside one (tests of the deadline rules).
  private final CallQueue calls;

  GrpcRequestContext(Context context) {
    this(context, 0, false, null);
  }

  private GrpcRequestContext(
      Context context, long queuedNanos, boolean queueFull, CallQueue calls) {
    this.context = context;
    this.queuedNanos = queuedNanos;
    this.queueFull = queueFull;
    this.calls = calls;
  }

  /** The context of the call being served on this thread, placed by {@code calls}. */
  static GrpcRequestContext current(CallQueue calls) {
    return new GrpcRequestContext(
        Context.current(), QueueTimedExecutor.currentWait(), CallQueue.refusing(), calls);
  }

  @Override
  public <T> T offCpu(Supplier<T> wait) {
    return calls == null ? wait.get() : calls.offCpu(wait);
  }

  @Override
  public String api() {
    return API;
  }

  @Override
  public long queuedNanos() {
    return queuedNanos;
  }

  @Override
  public boolean queueFull() {
    return queueFull;
  }

  @Override
  public void checkpoint() {
    Deadline deadline = context.getDeadline();
    // The deadline is checked first: the timer that cancels the context may not have fired yet.
    if (deadline != null && deadline.isExpired()) {
      throw deadlineExceeded();
    }
    if (context.isCancelled()) {
      if (context.cancellationCause() instanceof TimeoutException || nearlyExpired(deadline)) {
        throw deadlineExceeded();
      }
      throw new RankingException(ErrorType.CANCELLED, "the caller cancelled the request");
    }
  }

  /**
   * A client whose deadline passes resets the stream, which reaches the server as a plain
   * cancellation, often before the server's own copy of the deadline (which started later, when the
   * headers arrived) has expired. A cancellation this close to the deadline is the deadline.
   */
  private static boolean nearlyExpired(Deadline deadline) {
    return deadline != null && deadline.timeRemaining(TimeUnit.MILLISECONDS) <= DEADLINE_SLACK_MS;
  }

  private static RankingException deadlineExceeded() {
    return new RankingException(
        ErrorType.DEADLINE_EXCEEDED, "the caller's deadline passed before the answer was ready");
  }
}
