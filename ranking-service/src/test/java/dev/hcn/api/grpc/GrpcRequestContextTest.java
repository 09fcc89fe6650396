package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import io.grpc.Context;
import io.grpc.Deadline;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GrpcRequestContextTest {

  private static final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  static void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void liveCallPassesCheckpoints() {
    Context.CancellableContext call =
        Context.ROOT.withDeadline(Deadline.after(1, TimeUnit.MINUTES), timer);
    try {
      assertThatCode(() -> new GrpcRequestContext(call).checkpoint()).doesNotThrowAnyException();
      assertThat(new GrpcRequestContext(call).api()).isEqualTo("grpc");
    } finally {
      call.cancel(null);
    }
  }

  @Test
  void expiredDeadlineIsDeadlineExceeded() {
    Context.CancellableContext call =
        Context.ROOT.withDeadline(Deadline.after(-1, TimeUnit.MILLISECONDS), timer);

    assertThat(typeOf(new GrpcRequestContext(call))).isEqualTo(ErrorType.DEADLINE_EXCEEDED);
  }

  @Test
  void callerCancellationIsCancelled() {
    Context.CancellableContext call =
        Context.ROOT.withDeadline(Deadline.after(1, TimeUnit.MINUTES), timer);
    call.cancel(null);

    assertThat(typeOf(new GrpcRequestContext(call))).isEqualTo(ErrorType.CANCELLED);
  }

  @Test
  void cancellationRightBeforeTheDeadlineIsTheDeadline() {
    // What a client's own deadline looks like on the server: a stream reset shortly before the
    // server's later-started copy of the deadline expires.
    Context.CancellableContext call =
        Context.ROOT.withDeadline(Deadline.after(30, TimeUnit.MILLISECONDS), timer);
    call.cancel(null);

    assertThat(typeOf(new GrpcRequestContext(call))).isEqualTo(ErrorType.DEADLINE_EXCEEDED);
  }

  @Test
  void currentReadsTheAttachedCallContext() throws Exception {
    Context.CancellableContext call = Context.ROOT.withCancellation();
    call.cancel(null);

    GrpcRequestContext context = call.call(() -> GrpcRequestContext.current(null));

    assertThat(typeOf(context)).isEqualTo(ErrorType.CANCELLED);
  }

  private static ErrorType typeOf(GrpcRequestContext context) {
    return catchThrowableOfType(RankingException.class, context::checkpoint).type();
  }
}
