package dev.hcn.api.grpc;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

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
  private final LongSupplier clock;
  // Tasks submitted and not yet finished: running ones plus queued ones.
  private final AtomicInteger inPool = new AtomicInteger();
  // Time the pool's threads have spent running tasks, all of them together.
  private final AtomicLong busyNanos = new AtomicLong();

  QueueTimedExecutor(Executor pool) {
    this(pool, System::nanoTime);
  }

  QueueTimedExecutor(Executor pool, LongSupplier clock) {
    this.pool = pool;
    this.clock = clock;
    // A fixed pool (the call pool); any other executor is taken as never short of threads.
    this.threads =
        pool instanceof ThreadPoolExecutor fixed ? fixed.getMaximumPoolSize() : Integer.MAX_VALUE;
  }

  @Override
  public void execute(Runnable task) {
    boolean queues = inPool.getAndIncrement() >= threads;
    long submitted = queues ? clock.getAsLong() : 0;
    try {
      pool.execute(
          () -> {
            long started = clock.getAsLong();
            long[] waited = WAITED.get();
            waited[0] = queues ? started - submitted : 0;
            try {
              task.run();
            } finally {
              waited[0] = 0;
              busyNanos.addAndGet(clock.getAsLong() - started);
              inPool.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException shutDown) {
      inPool.decrementAndGet();
      throw shutDown;
    }
  }

  /** The pool's threads. */
  int threads() {
    return threads;
  }

  /** Time spent running tasks so far, summed over the threads. */
  long busyNanos() {
    return busyNanos.get();
  }

  /** The clock the pool's times are taken on. */
  long now() {
    return clock.getAsLong();
  }

  /** How long the task running on this thread waited behind others; 0 outside the call pool. */
  static long currentWait() {
    return WAITED.get()[0];
  }
}
