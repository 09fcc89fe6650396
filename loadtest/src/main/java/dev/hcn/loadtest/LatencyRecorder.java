package dev.hcn.loadtest;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Latencies of one open-loop run, one slot per scheduled request. Each latency is measured from the
 * request's scheduled start, not its actual send, so a stalled server cannot hide its queueing
 * (coordinated omission).
 */
final class LatencyRecorder {

  private final long[] nanos;
  private final AtomicInteger completed = new AtomicInteger();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  LatencyRecorder(int capacity) {
    nanos = new long[capacity];
    Arrays.fill(nanos, -1);
  }

  void success(int slot, long latencyNanos) {
    nanos[slot] = latencyNanos;
    completed.incrementAndGet();
  }

  void failure(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    completed.incrementAndGet();
  }

  int completed() {
    return completed.get();
  }

  /** What the run measured; {@code sent} requests over {@code elapsedNanos}. */
  Summary summary(int sent, long elapsedNanos) {
    long[] ok = Arrays.stream(nanos, 0, Math.min(sent, nanos.length)).filter(n -> n >= 0).toArray();
    Arrays.sort(ok);
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
    return new Summary(
        sent,
        ok.length,
        errorCounts,
        sent / (elapsedNanos / 1e9),
        percentile(ok, 50),
        percentile(ok, 90),
        percentile(ok, 99),
        percentile(ok, 99.9),
        ok.length == 0 ? 0 : ok[ok.length - 1]);
  }

  /** Nearest-rank percentile of sorted values, 0 when there are none. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  record Summary(
      int sent,
      int ok,
      Map<String, Long> errors,
      double offeredRate,
      long p50,
      long p90,
      long p99,
      long p999,
      long max) {

    String text(String label) {
      return String.format(
          Locale.ROOT,
          "%s: sent %d at %.1f/s, ok %d, errors %s%n"
              + "  latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
          label,
          sent,
          offeredRate,
          ok,
          errors,
          ms(p50),
          ms(p90),
          ms(p99),
          ms(p999),
          ms(max));
    }

    String json(String label) {
      String errorsJson =
          errors.entrySet().stream()
              .map(e -> "\"" + e.getKey() + "\":" + e.getValue())
              .collect(Collectors.joining(",", "{", "}"));
      return String.format(
          Locale.ROOT,
          "{\"run\":\"%s\",\"sent\":%d,\"offeredRate\":%.1f,\"ok\":%d,\"errors\":%s,"
              + "\"p50Ms\":%.3f,\"p90Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f}%n",
          label,
          sent,
          offeredRate,
          ok,
          errorsJson,
          ms(p50),
          ms(p90),
          ms(p99),
          ms(p999),
          ms(max));
    }

    private static double ms(long nanos) {
      return nanos / 1e6;
    }
  }
}
