package dev.hcn.api.grpc;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The call pool as gRPC sees it, remembering for the task running on each thread how long it waited
 * in the pool's queue behind other calls. The handler of a unary call runs in such a task, so the
 * ranking flow can refuse a call that waited too long for a thread before doing any work; time
 * spent receiving a large message does not count, only the wait for a thread.
 *
 * <p>A task submitted while a thread was free did not queue: whatever delay it sees is the
 * scheduler's (a descheduled VM, a GC pause), not overload, and counts as no wait, so an idle
 * service never sheds.
 */
final class QueueTimedExecutor implements Executor {

  private static final ThreadLocal<long[]> WAITED = ThreadLocal.withInitial(() -> new long[1]);

  private final Executor pool;
  private final int threads;
  // Tasks submitted and not yet finished: running ones plus queued ones.
  private final AtomicInteger inPool = new AtomicInteger();

  QueueTimedExecutor(Executor pool) {
    this.pool = pool;
    // A fixed pool (the call pool); any other executor is taken as never short of threads.
    this.threads =
        pool instanceof ThreadPoolExecutor fixed ? fixed.getMaximumPoolSize() : Integer.MAX_VALUE;
  }

  @Override
  public void execute(Runnable task) {
    boolean queues = inPool.getAndIncrement() >= threads;
    long submitted = queues ? System.nanoTime() : 0;
    try {
      pool.execute(
          () -> {
            long[] waited = WAITED.get();
            waited[0] = queues ? System.nanoTime() - submitted : 0;
            try {
              task.run();
            } finally {
              waited[0] = 0;
              inPool.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException shutDown) {
      inPool.decrementAndGet();
      throw shutDown;
    }
  }

  /** How long the task running on this thread waited behind others; 0 outside the call pool. */
  static long currentWait() {
    return WAITED.get()[0];
  }
}
