package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SloTest {

  @Test
  void parsesPercentilesAndLimits() throws Exception {
    Slo slo = Slo.parse("p99=10ms, p50=2ms,p99.9=0.5s");

    assertThat(slo.objectives())
        .containsExactly(
            new Slo.Objective(99, Duration.ofMillis(10)),
            new Slo.Objective(50, Duration.ofMillis(2)),
            new Slo.Objective(99.9, Duration.ofMillis(500)));
    assertThat(slo.objectives().get(0).label()).isEqualTo("p99<=10.000ms");
  }

  @Test
  void badObjectivesAreRefused() {
    assertThatThrownBy(() -> Slo.parse("99=10ms")).hasMessageContaining("p99=10ms");
    assertThatThrownBy(() -> Slo.parse("p101=10ms")).hasMessageContaining("(0, 100]");
    assertThatThrownBy(() -> Slo.parse("pxx=10ms")).hasMessageContaining("percentile");
    assertThatThrownBy(() -> Slo.parse("p99=0ms")).hasMessageContaining("positive");
    assertThatThrownBy(() -> Slo.parse("p99=fast")).hasMessageContaining("duration");
  }

  /** 100 requests: 1 ms .. 100 ms, one each. */
  private static Histogram oneToHundredMs() {
    Histogram h = LatencyStats.histogram();
    for (int i = 1; i <= 100; i++) {
      h.recordValue(i * 1_000_000L);
    }
    return h;
  }

  @Test
  void metWhenEnoughRequestsAreWithinTheLimit() throws Exception {
    Histogram h = oneToHundredMs();

    Slo.Verdict met = Slo.parse("p99=99.1ms").judge(h, 100).get(0);
    assertThat(met.met()).isTrue();
    assertThat(met.withinLimit()).isEqualTo(99);
    assertThat(met.needed()).isEqualTo(99);

    Slo.Verdict missed = Slo.parse("p99=98.5ms").judge(h, 100).get(0);
    assertThat(missed.met()).isFalse();
    assertThat(missed.withinLimit()).isEqualTo(98);
  }

  @Test
  void failedRequestsCountAsTooSlow() throws Exception {
    Histogram h = oneToHundredMs();
    Slo slo = Slo.parse("p99=1s");

    // The same 100 fast answers, but 2 more requests failed: 100 of 102 is below 99 %.
    Slo.Verdict v = slo.judge(h, 102).get(0);
    assertThat(v.met()).isFalse();
    assertThat(v.observedNanos()).isNull();
    // One failure in 101 is within 99 %.
    assertThat(slo.judge(h, 101).get(0).met()).isTrue();
    // Nothing answered: nothing is met.
    assertThat(slo.judge(LatencyStats.histogram(), 10).get(0).met()).isFalse();
  }

  @Test
  void theBucketHoldingTheLimitIsNotRoundedInOurFavour() throws Exception {
    Histogram h = LatencyStats.histogram();
    h.recordValue(10_000_100); // 10.0001 ms, within 0.1 % of 10 ms: same bucket at 3 digits
    assertThat(Slo.parse("p50=10ms").judge(h, 1).get(0).met()).isFalse();
    assertThat(Slo.parse("p50=10.1ms").judge(h, 1).get(0).met()).isTrue();
  }
}
