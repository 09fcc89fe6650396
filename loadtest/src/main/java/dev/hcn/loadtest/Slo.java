package dev.hcn.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A latency objective such as {@code p99=10ms} or {@code p50=2ms,p99.9=25ms}, judged on the latency
 * from each request's intended send time.
 *
 * <p>A failed or unfinished request counts as slower than any limit: {@code p99=10ms} is met when
 * at least 99 % of the requests sent succeeded within 10 ms. So a server cannot meet an objective
 * by failing its slow requests, and a run whose requests all fail meets none.
 */
record Slo(List<Objective> objectives) {

  /** One percentile and its limit. */
  record Objective(double percentile, Duration limit) {
    String label() {
      return "p" + trim(percentile) + "<=" + Report.ms(limit.toNanos()) + "ms";
    }
  }

  /** How one objective fared in a run. */
  record Verdict(Objective objective, long withinLimit, long needed, Long observedNanos) {
    boolean met() {
      return withinLimit >= needed && needed > 0;
    }
  }

  static Slo parse(String text) throws Args.UsageException {
    List<Objective> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip().toLowerCase(Locale.ROOT);
      int eq = p.indexOf('=');
      if (!p.startsWith("p") || eq < 2) {
        throw new Args.UsageException(
            "--slo takes percentile=limit pairs such as p99=10ms, got '" + part.strip() + "'");
      }
      double percentile;
      try {
        percentile = Double.parseDouble(p.substring(1, eq));
      } catch (NumberFormatException e) {
        throw new Args.UsageException(
            "--slo percentile must be a number such as p99 or p99.9, got '" + part.strip() + "'");
      }
      if (!(percentile > 0 && percentile <= 100)) {
        throw new Args.UsageException(
            "--slo percentile must be in (0, 100], got '" + part.strip() + "'");
      }
      Duration limit = Args.parseDuration("--slo", p.substring(eq + 1));
      if (limit.isZero()) {
        throw new Args.UsageException("--slo limit must be positive, got '" + part.strip() + "'");
      }
      out.add(new Objective(percentile, limit));
    }
    return new Slo(List.copyOf(out));
  }

  /**
   * Judges a run: {@code intended} holds the successful requests' latencies from their intended
   * send time; {@code sent} counts every request, failed ones included.
   */
  List<Verdict> judge(Histogram intended, long sent) {
    List<Verdict> out = new ArrayList<>();
    for (Objective o : objectives) {
      long needed = (long) Math.ceil(o.percentile() / 100.0 * sent);
      long within = intended.getTotalCount() == 0 ? 0 : countAtOrBelow(intended, o.limit());
      out.add(new Verdict(o, within, needed, observed(intended, sent, o.percentile())));
    }
    return out;
  }

  static boolean allMet(List<Verdict> verdicts) {
    return verdicts.stream().allMatch(Verdict::met);
  }

  /**
   * The latency at {@code percentile} with failures ranked last, or {@code null} when that rank
   * falls on a failure.
   */
  static Long observed(Histogram ok, long sent, double percentile) {
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * sent));
    if (rank > ok.getTotalCount()) {
      return null;
    }
    // The rank among the successes is the same rank: failures only ever come after them.
    double withinOk = 100.0 * rank / ok.getTotalCount();
    return ok.getValueAtPercentile(Math.min(100.0, withinOk));
  }

  private static long countAtOrBelow(Histogram h, Duration limit) {
    long nanos = Math.min(limit.toNanos(), h.getHighestTrackableValue());
    // Values are equivalent within the histogram's precision; count the bucket holding the limit
    // only when its whole range is within the limit, so a "met" is never rounded in our favour.
    long top = h.highestEquivalentValue(nanos);
    long upTo = top <= nanos ? nanos : h.lowestEquivalentValue(nanos) - 1;
    return upTo < 0 ? 0 : h.getCountBetweenValues(0, upTo);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
