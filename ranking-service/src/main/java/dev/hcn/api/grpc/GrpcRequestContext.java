package dev.hcn.api.grpc;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RequestContext;
import io.grpc.Context;
import io.grpc.Deadline;
import java.util.concurrent.TimeoutException;

/**
 * A gRPC call's life as the ranking flow sees it: the deadline and cancellation of the {@link
 * Context} the call runs in. gRPC cancels that context when the client's deadline passes or the
 * client goes away, so every checkpoint of the flow stops work for a caller who left.
 */
final class GrpcRequestContext implements RequestContext {

  static final String API = "grpc";

  private final Context context;

  GrpcRequestContext(Context context) {
    this.context = context;
  }

  /** The context of the call being served on this thread. */
  static GrpcRequestContext current() {
    return new GrpcRequestContext(Context.current());
  }

  @Override
  public String api() {
    return API;
  }

  @Override
  public void checkpoint() {
    Deadline deadline = context.getDeadline();
    // The deadline is checked first: the timer that cancels the context may not have fired yet.
    if (deadline != null && deadline.isExpired()) {
      throw deadlineExceeded();
    }
    if (context.isCancelled()) {
      if (context.cancellationCause() instanceof TimeoutException) {
        throw deadlineExceeded();
      }
      throw new RankingException(ErrorType.CANCELLED, "the caller cancelled the request");
    }
  }

  private static RankingException deadlineExceeded() {
    return new RankingException(
        ErrorType.DEADLINE_EXCEEDED, "the caller's deadline passed before the answer was ready");
  }
}
