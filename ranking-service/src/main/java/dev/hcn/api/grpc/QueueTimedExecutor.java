package dev.hcn.api.grpc;

import java.util.concurrent.Executor;

/**
 * The call pool as gRPC sees it, remembering for the task running on each thread how long it waited
 * in the pool's queue. The handler of a unary call runs in such a task, so the ranking flow can
 * refuse a call that waited too long for a thread before doing any work; time spent receiving a
 * large message does not count, only the wait for a thread.
 */
final class QueueTimedExecutor implements Executor {

  private static final ThreadLocal<long[]> WAITED = ThreadLocal.withInitial(() -> new long[1]);

  private final Executor pool;

  QueueTimedExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    long queued = System.nanoTime();
    pool.execute(
        () -> {
          long[] waited = WAITED.get();
          waited[0] = System.nanoTime() - queued;
          try {
            task.run();
          } finally {
            waited[0] = 0;
          }
        });
  }

  /** How long the task running on this thread waited for it; 0 outside the call pool. */
  static long currentWait() {
    return WAITED.get()[0];
  }
}
