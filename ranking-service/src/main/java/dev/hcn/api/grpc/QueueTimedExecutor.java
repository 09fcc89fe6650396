package dev.hcn.api.grpc;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The call pool as gRPC sees it, remembering for the task running on each thread how long it waited
 * in the pool's queue behind other calls. The handler of a unary call runs in such a task, so the
 * ranking flow can refuse a call that waited too long for a thread before doing any work; time
 * spent receiving a large message does not count, only the wait for a thread.
 *
 * <p>A task submitted while a thread was free did not queue: whatever delay it sees is the
 * scheduler's (a descheduled VM, a GC pause), not overload, and counts as no wait, so an idle
 * service never sheds.
 *
 * <p>The pool is sized for CPU work, but a call may also wait on something that uses no CPU (its
 * history lookup, on a slow store). Such a wait runs through {@link #offCpu}: once it has lasted
 * {@link #LEND_AFTER_NANOS}, the pool lends one more thread to the calls queued behind it, and
 * takes it back when the wait ends, so that a slow store slows the calls that need it, not every
 * call behind them. At most {@link #MAX_LENT_PER_THREAD} per thread are lent at once. Time off the
 * CPU is not counted as busy time.
 */
final class QueueTimedExecutor implements Executor, AutoCloseable {

  /**
   * How long a wait off the CPU lasts before the pool lends a thread for it: a healthy store
   * answers in well under a millisecond and never causes a lend; a stalled one lends within 2 ms.
   */
  static final long LEND_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /**
   * Threads lent at once, per thread of the pool: enough for the calls that arrive during a store's
   * time budget at the pool's rate; beyond it, calls wait for a thread as usual and the call
   * queue's bound sheds them.
   */
  static final int MAX_LENT_PER_THREAD = 8;

  private static final ThreadLocal<long[]> WAITED = ThreadLocal.withInitial(() -> new long[1]);
  // Time off the CPU of the task running on this thread.
  private static final ThreadLocal<long[]> OFF_CPU = ThreadLocal.withInitial(() -> new long[1]);
  // The pool whose task runs on this thread, if any.
  private static final ThreadLocal<QueueTimedExecutor> RUNNING_ON = new ThreadLocal<>();

  private final Executor pool;
  private final ThreadPoolExecutor resizable;
  private final int threads;
  private final int maxLent;
  private final LongSupplier clock;
  // Tasks submitted and not yet finished: running ones plus queued ones.
  private final AtomicInteger inPool = new AtomicInteger();
  // Time the pool's threads have spent running tasks, all of them together, less time off the CPU.
  private final AtomicLong busyNanos = new AtomicLong();
  // Waits off the CPU that have been lent a thread and not ended (guarded by this), and how many
  // of those the pool has now.
  private int lendsOpen;
  private volatile int lent;
  private final ScheduledExecutorService lender;

  QueueTimedExecutor(Executor pool) {
    this(pool, System::nanoTime);
  }

  QueueTimedExecutor(Executor pool, LongSupplier clock) {
    this(pool, clock, lendTimer());
  }

  /** The lender starts each lend; it is shut down with this executor. */
  QueueTimedExecutor(Executor pool, LongSupplier clock, ScheduledExecutorService lender) {
    this.pool = pool;
    this.clock = clock;
    // A fixed pool (the call pool); any other executor is taken as never short of threads.
    this.resizable = pool instanceof ThreadPoolExecutor fixed ? fixed : null;
    this.threads = resizable != null ? resizable.getMaximumPoolSize() : Integer.MAX_VALUE;
    this.maxLent = resizable != null ? MAX_LENT_PER_THREAD * threads : 0;
    this.lender = lender;
  }

  private static ScheduledExecutorService lendTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("grpc-lend").daemon(true).factory());
    // Almost every timer is cancelled (the wait ended first): drop them at once.
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  @Override
  public void execute(Runnable task) {
    boolean queues = inPool.getAndIncrement() >= threads + lent;
    long submitted = queues ? clock.getAsLong() : 0;
    try {
      pool.execute(
          () -> {
            long started = clock.getAsLong();
            long[] waited = WAITED.get();
            long[] offCpu = OFF_CPU.get();
            waited[0] = queues ? started - submitted : 0;
            offCpu[0] = 0;
            RUNNING_ON.set(this);
            try {
              task.run();
            } finally {
              RUNNING_ON.remove();
              waited[0] = 0;
              busyNanos.addAndGet(clock.getAsLong() - started - offCpu[0]);
              inPool.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException shutDown) {
      inPool.decrementAndGet();
      throw shutDown;
    }
  }

  /**
   * Runs a wait that uses no CPU. On one of this pool's threads, a wait that lasts lends the pool a
   * thread until it ends; anywhere else it only runs.
   */
  <T> T offCpu(Supplier<T> wait) {
    if (resizable == null || RUNNING_ON.get() != this) {
      return wait.get();
    }
    long start = clock.getAsLong();
    Lend lend = new Lend();
    ScheduledFuture<?> timer = lender.schedule(lend::start, LEND_AFTER_NANOS, TimeUnit.NANOSECONDS);
    try {
      return wait.get();
    } finally {
      timer.cancel(false);
      lend.end();
      OFF_CPU.get()[0] += clock.getAsLong() - start;
    }
  }

  /** One wait's lend: started by the timer, ended by the wait, each at most once. */
  private final class Lend {
    private static final int WAITING = 0;
    private static final int LENT = 1;
    private static final int ENDED = 2;
    private final AtomicInteger state = new AtomicInteger(WAITING);

    void start() {
      if (state.compareAndSet(WAITING, LENT)) {
        resize(+1);
      }
    }

    void end() {
      if (!state.compareAndSet(WAITING, ENDED)) {
        resize(-1);
      }
    }
  }

  /**
   * Grows or shrinks the pool by one lent thread. Growing the core size starts a thread for a
   * queued call at once; a shrunk pool retires its extra thread once that thread is idle.
   */
  private synchronized void resize(int delta) {
    lendsOpen += delta;
    // A lend may end before its start has resized (the timer thread was descheduled): never below
    // the pool's own size.
    int lending = Math.max(0, Math.min(lendsOpen, maxLent));
    int size = threads + lending;
    if (size > resizable.getMaximumPoolSize()) {
      resizable.setMaximumPoolSize(size);
      resizable.setCorePoolSize(size);
    } else {
      resizable.setCorePoolSize(size);
      resizable.setMaximumPoolSize(size);
    }
    lent = lending;
  }

  /** The pool's own threads, not counting lent ones. */
  int threads() {
    return threads;
  }

  /** Threads lent now to calls behind waits off the CPU. */
  int lent() {
    return lent;
  }

  /** Time spent running tasks so far, summed over the threads, less time off the CPU. */
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

  @Override
  public void close() {
    lender.shutdownNow();
  }
}
