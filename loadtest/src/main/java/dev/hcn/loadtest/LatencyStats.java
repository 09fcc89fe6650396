package dev.hcn.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of one open-loop run in two columns, as wrk2 has them: from each request's intended
 * send time (its slot in the fixed schedule) and from its actual send. When the generator cannot
 * send on time (the in-flight limit is reached because the server stalls), only the first column
 * shows the wait: that is the latency a user arriving at that moment would have seen, and the
 * second column alone would hide it (coordinated omission).
 *
 * <p>Recording is wait-free ({@link Recorder}); one reader at a time folds interval histograms into
 * the totals, for the progress line and the final result.
 */
final class LatencyStats {

  /** 1 µs resolution floor, one hour ceiling, 3 significant digits (0.1 %). */
  static final long LOWEST_NANOS = 1_000;

  static final long HIGHEST_NANOS = 3_600_000_000_000L;
  static final int DIGITS = 3;

  private final Recorder intended = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
  private final Recorder actual = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
  private final Histogram intendedTotal = histogram();
  private final Histogram actualTotal = histogram();
  private Histogram intendedInterval;
  private Histogram actualInterval;
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();

  static Histogram histogram() {
    return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
  }

  void success(long fromIntendedNanos, long fromActualNanos) {
    intended.recordValue(clamp(fromIntendedNanos));
    actual.recordValue(clamp(fromActualNanos));
    ok.incrementAndGet();
    completed.incrementAndGet();
  }

  void failure(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    completed.incrementAndGet();
  }

  long completed() {
    return completed.get();
  }

  long ok() {
    return ok.get();
  }

  long errorCount() {
    return completed.get() - ok.get();
  }

  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Folds what was recorded since the last call into the totals and returns the intended-time
   * histogram of just that interval (for the progress line).
   */
  synchronized Histogram fold() {
    intendedInterval = intended.getIntervalHistogram(intendedInterval);
    actualInterval = actual.getIntervalHistogram(actualInterval);
    intendedTotal.add(intendedInterval);
    actualTotal.add(actualInterval);
    return intendedInterval;
  }

  /** Copies of the totals, after folding in everything recorded so far. */
  synchronized Histogram[] totals() {
    fold();
    return new Histogram[] {intendedTotal.copy(), actualTotal.copy()};
  }

  private static long clamp(long nanos) {
    return Math.max(LOWEST_NANOS, Math.min(HIGHEST_NANOS, nanos));
  }
}
