package dev.hcn.loadtest;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * When each request of an open-loop run is due: at a constant {@code rate}, optionally reached by a
 * linear ramp from zero over the run's first {@code ramp} (as a load balancer's slow start sends
 * traffic to a new replica).
 *
 * <p>Invariants, checked by {@code ArrivalScheduleTest}:
 *
 * <ul>
 *   <li>{@code offsetNanos(0) == 0} and offsets never decrease;
 *   <li>without a ramp, {@code offsetNanos(i) == Math.round(i * 1e9 / rate)}: the plain schedule;
 *   <li>with a ramp, the number of requests due by time {@code t < ramp} is {@code rate · t² / (2 ·
 *       ramp)} (the integral of a rate growing linearly to {@code rate}), and from {@code ramp} on
 *       requests are due every {@code 1 / rate}, so {@link #count()} is {@code rate · (duration −
 *       ramp / 2)}, rounded;
 *   <li>{@link #poisson} sends the same number of requests as a Poisson stream of the same rate
 *       (and ramp): request 0 at offset 0, then request i at {@code offsetAt(S_i)} with {@code S_i}
 *       the sum of i independent Exp(1) draws (time rescaling: the schedule's mean number of
 *       requests due by a time is the stream's intensity integrated to it), so without a ramp the
 *       gaps are exponential with mean {@code 1 / rate}; offsets never decrease, and the same seed
 *       gives the same offsets.
 * </ul>
 */
record ArrivalSchedule(double rate, long durationNanos, long rampNanos) {

  ArrivalSchedule {
    if (!(rate > 0) || durationNanos <= 0 || rampNanos < 0 || rampNanos > durationNanos) {
      throw new IllegalArgumentException(
          "need rate > 0 and 0 <= ramp <= duration, got rate %s, duration %d ns, ramp %d ns"
              .formatted(rate, durationNanos, rampNanos));
    }
  }

  static ArrivalSchedule of(double rate, Duration duration, Duration ramp) {
    return new ArrivalSchedule(rate, duration.toNanos(), ramp.toNanos());
  }

  /** Requests in the run; at least one. */
  long count() {
    return Math.max(1, Math.round(rate * (durationNanos - rampNanos / 2.0) / 1e9));
  }

  /** When request {@code i} is due, in nanoseconds from the run's start. */
  long offsetNanos(long i) {
    return offsetAt(i);
  }

  /**
   * When the schedule has sent {@code requests} requests (a real number: the inverse of the number
   * due by a time), in nanoseconds from the run's start.
   */
  long offsetAt(double requests) {
    double interval = 1e9 / rate;
    // Requests due during the ramp: rate * ramp / 2 of them.
    if (rampNanos > 0 && requests < rate * rampNanos / 2e9) {
      return Math.round(Math.sqrt(2.0 * rampNanos * requests * interval));
    }
    // After the ramp each request is due half a ramp later than on the plain schedule.
    return Math.round(requests * interval) + rampNanos / 2;
  }

  /** The offsets of requests 0, 1, 2, ... of one run, in order. */
  interface Offsets {
    long next();
  }

  /** Requests at exactly the schedule's offsets. */
  Offsets plain() {
    return new Offsets() {
      private long i;

      @Override
      public long next() {
        return offsetNanos(i++);
      }
    };
  }

  /**
   * Requests as a Poisson stream of this schedule's rate and ramp (see the class invariants): the
   * arrivals of many independent callers, which cluster, where {@link #plain} never lets two
   * requests come closer than {@code 1 / rate}.
   */
  Offsets poisson(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return new Offsets() {
      private double position;

      @Override
      public long next() {
        long offset = offsetAt(position);
        // An Exp(1) draw; 1 - nextDouble() is in (0, 1], so the log is finite.
        position -= Math.log(1 - random.nextDouble());
        return offset;
      }
    };
  }
}
