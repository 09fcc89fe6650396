package dev.hcn.api.grpc;

import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses, per call and before the call waits anywhere, where it runs: on the call pool, or, for a
 * ranking call that arrives while {@code maxQueued} calls already wait for a pool thread, on a
 * single refusal thread where admission control refuses it at once ({@link
 * dev.hcn.ranking.RequestContext#queueFull()}). gRPC asks this on the transport thread, so the
 * bound holds before the pool's queue, which admission control would otherwise only see from the
 * far end.
 *
 * <p>Only calls whose handlers go through admission control (ranking, interests) are ever sent to
 * the refusal thread, which therefore does no ranking work: it parses the request and answers
 * RESOURCE_EXHAUSTED. Every other call runs on the pool.
 */
final class CallQueue implements ServerCallExecutorSupplier, AutoCloseable {

  private static final Set<String> ADMITTED =
      Set.of(
          RankingGrpc.getRankMethod().getFullMethodName(),
          RankingGrpc.getGetInterestsMethod().getFullMethodName());

  private static final ThreadLocal<Boolean> REFUSING = ThreadLocal.withInitial(() -> false);

  private final QueueTimedExecutor pool;
  private final int maxQueued;
  // Ranking calls placed on the pool whose first task has not started: the calls waiting for a
  // thread. The first task of a unary call carries its start, message and handler when they
  // arrived together; later tasks (a late message, the close) are not counted, since a finished
  // call's close must not hold a place in the queue.
  private final AtomicInteger waiting = new AtomicInteger();
  private final ExecutorService refusals;
  private final Executor refusing;

  CallQueue(QueueTimedExecutor pool, int maxQueued) {
    this.pool = pool;
    this.maxQueued = maxQueued;
    this.refusals =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("grpc-refuse").daemon(true).factory());
    this.refusing =
        task ->
            refusals.execute(
                () -> {
                  REFUSING.set(true);
                  try {
                    task.run();
                  } finally {
                    REFUSING.set(false);
                  }
                });
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    if (!ADMITTED.contains(call.getMethodDescriptor().getFullMethodName())) {
      return pool;
    }
    return waiting.get() >= maxQueued ? refusing : place();
  }

  /** The executor of one ranking call placed on the pool. */
  Executor place() {
    AtomicBoolean first = new AtomicBoolean(true);
    return task -> {
      if (!first.compareAndSet(true, false)) {
        pool.execute(task);
        return;
      }
      waiting.incrementAndGet();
      try {
        pool.execute(
            () -> {
              waiting.decrementAndGet();
              task.run();
            });
      } catch (RuntimeException rejected) {
        waiting.decrementAndGet();
        throw rejected;
      }
    };
  }

  /** Ranking calls waiting for a thread now. */
  int waiting() {
    return waiting.get();
  }

  /** The call pool, where every placed call runs. */
  QueueTimedExecutor pool() {
    return pool;
  }

  /** The calls' own executor until a call is placed (method lookup only, which does not block). */
  Executor lookups() {
    return Runnable::run;
  }

  /** Whether the call running on this thread arrived to a full queue. */
  static boolean refusing() {
    return REFUSING.get();
  }

  @Override
  public void close() {
    refusals.shutdown();
  }
}
