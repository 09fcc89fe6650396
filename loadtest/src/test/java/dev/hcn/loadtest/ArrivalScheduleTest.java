package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The invariants in {@link ArrivalSchedule}'s javadoc, at awkward rates. */
class ArrivalScheduleTest {

  private static final double[] RATES = {1, 3, 7.5, 200, 333.3, 10_000};

  @Test
  void withoutARampEveryRequestIsDueOnThePlainSchedule() {
    for (double rate : RATES) {
      ArrivalSchedule s = ArrivalSchedule.of(rate, Duration.ofSeconds(3), Duration.ZERO);
      assertThat(s.count()).isEqualTo(Math.round(rate * 3));
      for (long i = 0; i <= s.count(); i++) {
        assertThat(s.offsetNanos(i)).isEqualTo(Math.round(i * 1e9 / rate));
      }
    }
  }

  @Test
  void aRampGrowsTheRateLinearlyThenHoldsIt() {
    for (double rate : RATES) {
      long duration = 10_000_000_000L;
      long ramp = 4_000_000_000L;
      ArrivalSchedule s = new ArrivalSchedule(rate, duration, ramp);
      // rate * (10 s - 4 s / 2) requests; the last one is due one interval before the end.
      assertThat(s.count()).isEqualTo(Math.max(1, Math.round(rate * 8)));
      assertThat(s.offsetNanos(0)).isZero();
      long previous = 0;
      for (long i = 1; i < s.count(); i++) {
        long t = s.offsetNanos(i);
        assertThat(t).as("rate %s, request %d", rate, i).isGreaterThanOrEqualTo(previous);
        previous = t;
        double seconds = t / 1e9;
        if (t < ramp) {
          // Requests due by t: the integral of the linear ramp, within rounding.
          assertThat((double) i).isCloseTo(rate * seconds * seconds / 8, within(1.0));
        } else {
          assertThat(t).isEqualTo(Math.round(i * 1e9 / rate) + ramp / 2);
        }
      }
      assertThat(s.offsetNanos(s.count())).isCloseTo(duration, within(Math.round(1e9 / rate)));
    }
  }

  @Test
  void theRampIsContinuousWhereItEnds() {
    // 100/s over a 2 s ramp: 100 requests during it, request 100 due exactly at 2 s.
    ArrivalSchedule s = new ArrivalSchedule(100, 5_000_000_000L, 2_000_000_000L);
    assertThat(s.offsetNanos(99)).isBetween(1_980_000_000L, 2_000_000_000L);
    assertThat(s.offsetNanos(100)).isEqualTo(2_000_000_000L);
    assertThat(s.offsetNanos(101)).isEqualTo(2_010_000_000L);
    // Half of the ramp's requests fall in its last 29 %: the rate grows with time.
    assertThat(s.offsetNanos(50)).isEqualTo(Math.round(Math.sqrt(0.5) * 2e9));
  }

  @Test
  void aRampAsLongAsTheRunSendsHalfAsMany() {
    ArrivalSchedule s = new ArrivalSchedule(200, 1_000_000_000L, 1_000_000_000L);
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.offsetNanos(s.count())).isEqualTo(1_000_000_000L);
  }

  @Test
  void impossibleSchedulesAreRefused() {
    assertThatThrownBy(() -> new ArrivalSchedule(0, 1, 0)).hasMessageContaining("rate > 0");
    assertThatThrownBy(() -> new ArrivalSchedule(Double.NaN, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ArrivalSchedule(1, 1, 2)).hasMessageContaining("ramp <= duration");
    assertThatThrownBy(() -> new ArrivalSchedule(1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void plainOffsetsAreTheSchedule() {
    ArrivalSchedule s = new ArrivalSchedule(333.3, 3_000_000_000L, 1_000_000_000L);
    ArrivalSchedule.Offsets plain = s.plain();
    for (long i = 0; i <= s.count(); i++) {
      assertThat(plain.next()).isEqualTo(s.offsetNanos(i));
    }
  }

  @Test
  void poissonArrivalsHaveExponentialGapsOfTheSameMean() {
    // 100,000 requests at 200/s: gaps of mean 5 ms, exponential, so as variable as they are long
    // (coefficient of variation 1) and a share e^-1 of them longer than the mean. The tolerances
    // are several standard errors wide at this count; a constant schedule fails the last two.
    ArrivalSchedule s = ArrivalSchedule.of(200, Duration.ofSeconds(500), Duration.ZERO);
    ArrivalSchedule.Offsets offsets = s.poisson(7);
    long n = s.count();
    double[] gaps = new double[(int) n - 1];
    long previous = offsets.next();
    assertThat(previous).isZero();
    for (int i = 0; i < gaps.length; i++) {
      long t = offsets.next();
      assertThat(t).isGreaterThanOrEqualTo(previous);
      gaps[i] = t - previous;
      previous = t;
    }
    double mean = java.util.Arrays.stream(gaps).average().orElseThrow();
    double variance = java.util.Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / n;
    long longer = java.util.Arrays.stream(gaps).filter(g -> g > mean).count();
    assertThat(mean).isCloseTo(5_000_000, within(100_000.0));
    assertThat(Math.sqrt(variance) / mean).isCloseTo(1.0, within(0.03));
    assertThat((double) longer / gaps.length).isCloseTo(Math.exp(-1), within(0.01));
  }

  @Test
  void poissonArrivalsFollowTheRamp() {
    // 1,000/s for 100 s with a 40 s ramp: on average rate t^2 / (2 ramp) requests by t < 40 s,
    // 5,000 by 20 s and 20,000 by 40 s; the counts of a Poisson stream are within a few square
    // roots of that (71 and 141).
    ArrivalSchedule s = new ArrivalSchedule(1_000, 100_000_000_000L, 40_000_000_000L);
    ArrivalSchedule.Offsets offsets = s.poisson(3);
    long by20 = 0;
    long by40 = 0;
    for (long i = 0; i < s.count(); i++) {
      long t = offsets.next();
      by20 += t < 20_000_000_000L ? 1 : 0;
      by40 += t < 40_000_000_000L ? 1 : 0;
    }
    assertThat((double) by20).isCloseTo(5_000, within(400.0));
    assertThat((double) by40).isCloseTo(20_000, within(700.0));
  }

  @Test
  void poissonArrivalsAreReproducibleBySeed() {
    ArrivalSchedule s = ArrivalSchedule.of(50, Duration.ofSeconds(2), Duration.ZERO);
    ArrivalSchedule.Offsets a = s.poisson(11);
    ArrivalSchedule.Offsets b = s.poisson(11);
    ArrivalSchedule.Offsets other = s.poisson(12);
    boolean differs = false;
    for (long i = 0; i < s.count(); i++) {
      long t = a.next();
      assertThat(b.next()).isEqualTo(t);
      differs |= other.next() != t;
    }
    assertThat(differs).isTrue();
  }
}
