package dev.hcn.api.grpc;

import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Chooses, per call and before the call waits anywhere, where it runs: on the call pool, or, for a
 * ranking call that would wait too long for a pool thread, on a single refusal thread where
 * admission control refuses it at once ({@link dev.hcn.ranking.RequestContext#queueFull()}). gRPC
 * asks this on the transport thread, so the bound holds before the pool's queue, which admission
 * control would otherwise only see from the far end.
 *
 * <p>Too long: every thread runs a ranking call and the calls waiting, times the pool time a call
 * takes, shared by the threads, exceed {@code maxWait} (Little's law); or {@code maxQueued} calls
 * already wait. The pool time per call is measured: all the pool's busy time over the calls placed
 * on it, smoothed every {@link #ESTIMATE_EVERY_NANOS}. So a queue of small calls (a millisecond
 * each) may be long and a queue of whole-catalogue calls (tens of milliseconds) short, and either
 * way an admitted call waits about {@code maxWait} at most.
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

  /** How often the pool time per call is re-estimated. */
  static final long ESTIMATE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final QueueTimedExecutor pool;
  private final int maxQueued;
  private final long maxWaitNanos;
  // Calls placed on the pool (every method), and the estimate's last snapshot of it and of the
  // pool's busy time.
  private final AtomicLong placed = new AtomicLong();
  private long lastPlaced;
  private long lastBusy;
  // Read without the lock by every arriving call, to skip the estimate between its times.
  private volatile long lastEstimate;
  private volatile long nanosPerCall;
  // Ranking calls placed on the pool whose first task has not started: the calls waiting for a
  // thread. The first task of a unary call carries its start, message and handler when they
  // arrived together; later tasks (a late message, the close) are not counted, since a finished
  // call's close must not hold a place in the queue.
  private final AtomicInteger waiting = new AtomicInteger();
  // Ranking calls whose handler runs now (on the pool; refused calls do not count).
  private final AtomicInteger running = new AtomicInteger();
  private final ExecutorService refusals;
  private final Executor refusing;

  CallQueue(QueueTimedExecutor pool, int maxQueued, Duration maxWait) {
    this.pool = pool;
    this.maxQueued = maxQueued;
    this.maxWaitNanos = maxWait.toNanos();
    this.lastEstimate = pool.now();
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
    reestimate();
    if (!ADMITTED.contains(call.getMethodDescriptor().getFullMethodName())) {
      placed.incrementAndGet();
      return pool;
    }
    return wouldWaitTooLong() ? refusing : place();
  }

  private boolean wouldWaitTooLong() {
    int queued = waiting.get();
    if (queued >= maxQueued) {
      return true;
    }
    // Refused for time only while every thread runs a ranking call: otherwise the threads are
    // busy with small tasks (a call's close) that the estimate, an average of whole calls, would
    // overstate, and a closed loop of one client per thread must never be shed.
    int threads = pool.threads();
    return maxWaitNanos > 0
        && running.get() >= threads
        && queued * nanosPerCall / threads > maxWaitNanos;
  }

  /** The pool time per call, from the calls placed since the last estimate (halved each time). */
  private void reestimate() {
    long now = pool.now();
    if (now - lastEstimate < ESTIMATE_EVERY_NANOS) {
      return;
    }
    synchronized (this) {
      if (now - lastEstimate < ESTIMATE_EVERY_NANOS) {
        return;
      }
      long calls = placed.get();
      long busy = pool.busyNanos();
      if (calls > lastPlaced) {
        long recent = (busy - lastBusy) / (calls - lastPlaced);
        nanosPerCall = nanosPerCall == 0 ? recent : (nanosPerCall + recent) / 2;
      }
      lastPlaced = calls;
      lastBusy = busy;
      lastEstimate = now;
    }
  }

  /** The pool time a call takes, as last estimated; 0 before any call ran. */
  long nanosPerCall() {
    return nanosPerCall;
  }

  /** The executor of one ranking call placed on the pool. */
  Executor place() {
    placed.incrementAndGet();
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

  /**
   * Runs a ranking call's work, counted as running: the sign that a thread is taken by ranking, not
   * by a call's small tasks. On the refusal thread it only runs.
   */
  <T> T ranking(Supplier<T> work) {
    if (refusing()) {
      return work.get();
    }
    running.incrementAndGet();
    try {
      return work.get();
    } finally {
      running.decrementAndGet();
    }
  }

  /**
   * Runs a wait of a ranking call that uses no CPU (its history lookup), from within {@link
   * #ranking}: the thread does not count as running ranking meanwhile, and a long wait lends the
   * pool a thread for the calls behind it ({@link QueueTimedExecutor#offCpu}).
   */
  <T> T offCpu(Supplier<T> wait) {
    if (refusing()) {
      return wait.get();
    }
    running.decrementAndGet();
    try {
      return pool.offCpu(wait);
    } finally {
      running.incrementAndGet();
    }
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
    pool.close();
  }
}
