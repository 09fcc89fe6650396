package dev.hcn.loadtest;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Sends requests on a fixed schedule ({@link ArrivalSchedule}: request i at {@code start + i /
 * rate}, or later during a ramp; or as a Poisson stream of that rate) whatever the server answers,
 * at most {@code maxInFlight} outstanding. Each latency is recorded twice: from the intended send
 * time and from the actual send (see {@link LatencyStats}).
 */
final class OpenLoop {

  /** What one run at one rate measured. */
  record Result(
      double rate,
      long scheduleNanos,
      long rampNanos,
      long sent,
      long ok,
      java.util.Map<String, Long> errors,
      Histogram intended,
      Histogram actual,
      long maxSendLagNanos) {

    double achievedRate() {
      return ok / (scheduleNanos / 1e9);
    }
  }

  private final Sender sender;
  private final int maxInFlight;
  private final long drainNanos;
  private final PrintStream progress;
  private final LongSupplier clock;
  private final LongConsumer park;
  private final Long poissonSeed;

  /** Runs so far, so that each Poisson run draws its own arrivals. */
  private long runs;

  /**
   * @param deadlineMs the per-request deadline: after the last send the run waits that long plus 5
   *     s for answers, then counts the missing ones as {@code unfinished}
   * @param progress where the once-a-second progress line goes, or {@code null}
   * @param poissonSeed null: requests at the schedule's fixed offsets; otherwise as a Poisson
   *     stream of the same rate ({@link ArrivalSchedule#poisson}), run r of this loop drawn from
   *     seed {@code poissonSeed + r}
   */
  OpenLoop(
      Sender sender, int maxInFlight, long deadlineMs, PrintStream progress, Long poissonSeed) {
    this(
        sender,
        maxInFlight,
        deadlineMs,
        progress,
        System::nanoTime,
        LockSupport::parkNanos,
        poissonSeed);
  }

  /**
   * With the clock that the schedule and the latencies are read from, and how the schedule waits
   * for it (nanoseconds): a test's own clock makes the schedule independent of the machine; the
   * arrivals' seed as in the five-argument constructor.
   */
  OpenLoop(
      Sender sender,
      int maxInFlight,
      long deadlineMs,
      PrintStream progress,
      LongSupplier clock,
      LongConsumer park,
      Long poissonSeed) {
    this.poissonSeed = poissonSeed;
    this.sender = sender;
    this.maxInFlight = maxInFlight;
    this.drainNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMs) + TimeUnit.SECONDS.toNanos(5);
    this.progress = progress;
    this.clock = clock;
    this.park = park;
  }

  /** Sequence numbers continue across runs, so users and candidate lists keep rotating. */
  private final AtomicLong seq = new AtomicLong();

  /**
   * One run at {@code rate} for {@code duration}, the arrival rate growing linearly from zero to
   * {@code rate} over its first {@code ramp} (zero: none); the ramp's requests are measured like
   * the rest.
   */
  Result run(double rate, Duration duration, Duration ramp, String phase)
      throws InterruptedException {
    ArrivalSchedule schedule = ArrivalSchedule.of(rate, duration, ramp);
    ArrivalSchedule.Offsets offsets =
        poissonSeed == null ? schedule.plain() : schedule.poisson(poissonSeed + runs);
    runs++;
    long count = schedule.count();
    LatencyStats stats = new LatencyStats();
    Semaphore inFlight = new Semaphore(maxInFlight);
    AtomicLong sent = new AtomicLong();
    long maxLag = 0;
    long start = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(5);
    ScheduledExecutorService ticker =
        progress == null ? null : ticker(phase, stats, sent, count, start);
    try {
      for (long i = 0; i < count; i++) {
        long intended = start + offsets.next();
        long wait;
        while ((wait = intended - clock.getAsLong()) > 0) {
          park.accept(wait);
        }
        // At the limit the schedule waits here: the intended-time column keeps that wait.
        inFlight.acquire();
        long actual = clock.getAsLong();
        maxLag = Math.max(maxLag, actual - intended);
        sent.incrementAndGet();
        Sender.Outcome outcome =
            new Sender.Outcome() {
              @Override
              public void ok() {
                long end = clock.getAsLong();
                stats.success(end - intended, end - actual);
                inFlight.release();
              }

              @Override
              public void failed(String kind) {
                stats.failure(kind);
                inFlight.release();
              }
            };
        try {
          sender.send(seq.getAndIncrement(), outcome);
        } catch (RuntimeException e) {
          outcome.failed(e.getClass().getSimpleName());
        }
      }
      // The run's length is when request `count` would be due: the schedule's end, or for a
      // Poisson stream its next arrival, which may fall a little before or after that end.
      long scheduleNanos = Math.max(1, offsets.next());
      long drainEnd = clock.getAsLong() + drainNanos;
      while (stats.completed() < count && clock.getAsLong() < drainEnd) {
        Thread.sleep(2);
      }
      Histogram[] totals = stats.totals();
      java.util.Map<String, Long> errors = stats.errors();
      long missing = count - stats.completed();
      if (missing > 0) {
        errors.merge("unfinished", missing, Long::sum);
      }
      return new Result(
          rate,
          scheduleNanos,
          schedule.rampNanos(),
          count,
          stats.ok(),
          errors,
          totals[0],
          totals[1],
          maxLag);
    } finally {
      if (ticker != null) {
        ticker.shutdownNow();
      }
    }
  }

  private ScheduledExecutorService ticker(
      String phase, LatencyStats stats, AtomicLong sent, long count, long start) {
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "load-progress");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(
        () -> {
          Histogram last = stats.fold();
          long s = sent.get();
          progress.printf(
              Locale.ROOT,
              "%s %5.1fs  sent %d/%d  ok %d  errors %d  in flight %d  last 1s (intended): p50 %s p99 %s max %s ms%n",
              phase,
              (clock.getAsLong() - start) / 1e9,
              s,
              count,
              stats.ok(),
              stats.errorCount(),
              s - stats.completed(),
              last.getTotalCount() == 0 ? "-" : Report.ms(last.getValueAtPercentile(50)),
              last.getTotalCount() == 0 ? "-" : Report.ms(last.getValueAtPercentile(99)),
              last.getTotalCount() == 0 ? "-" : Report.ms(last.getMaxValue()));
        },
        1,
        1,
        TimeUnit.SECONDS);
    return ticker;
  }
}
