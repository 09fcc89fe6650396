package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The schedule and the two latency columns, against in-process servers with known behaviour. */
class OpenLoopTest {

  private final ScheduledExecutorService server = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  /**
   * Answers each request after {@code serviceMs}, except request {@code stallAt}: {@code stallMs}.
   */
  private Sender answering(long serviceMs, long stallAt, long stallMs) {
    return new Sender() {
      @Override
      public void send(long seq, Outcome outcome) {
        server.schedule(outcome::ok, seq == stallAt ? stallMs : serviceMs, TimeUnit.MILLISECONDS);
      }

      @Override
      public void close() {}
    };
  }

  /** Answers every request at once and records when, on the test's clock, it was sent. */
  private static Sender recording(AtomicLong now, List<Long> sentAt) {
    return new Sender() {
      @Override
      public void send(long seq, Outcome outcome) {
        sentAt.add(now.get());
        outcome.ok();
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aStalledServerShowsInTheIntendedTimeColumnOnly() throws Exception {
    // 200/s for 1 s, one request outstanding at most; request 10 stalls for 500 ms. The ~100
    // requests due during the stall leave late, in a burst: measured from their actual send they
    // look fast, measured from when they were due they waited up to half a second.
    OpenLoop loop = new OpenLoop(answering(1, 10, 500), 1, 2_000, null, null);
    OpenLoop.Result r = loop.run(200, Duration.ofSeconds(1), Duration.ZERO, "test");

    assertThat(r.sent()).isEqualTo(200);
    assertThat(r.ok()).isEqualTo(200);
    assertThat(r.actual().getMaxValue()).isGreaterThanOrEqualTo(500_000_000L);
    assertThat(r.actual().getValueAtPercentile(90)).isLessThan(50_000_000L);
    assertThat(r.intended().getValueAtPercentile(50)).isGreaterThan(100_000_000L);
    assertThat(r.intended().getValueAtPercentile(90)).isGreaterThan(300_000_000L);
    assertThat(r.maxSendLagNanos()).isGreaterThan(400_000_000L);
  }

  @Test
  void aHealthyServerShowsTheSameInBothColumns() throws Exception {
    // On the test's own clock: a pause of this JVM (GC, a descheduled CI machine) would otherwise
    // send the requests due during it late, and their intended-time latencies would grow with it.
    AtomicLong now = new AtomicLong(1_000_000_000L);
    long serviceNanos = TimeUnit.MILLISECONDS.toNanos(2);
    // Answers every request 2 ms after its send, beside the schedule: the answer is given with the
    // clock moved on by 2 ms, which is moved back for the loop that goes on sending.
    Sender healthy =
        new Sender() {
          @Override
          public void send(long seq, Outcome outcome) {
            now.addAndGet(serviceNanos);
            outcome.ok();
            now.addAndGet(-serviceNanos);
          }

          @Override
          public void close() {}
        };
    OpenLoop loop = new OpenLoop(healthy, 64, 2_000, null, now::get, now::addAndGet, null);
    OpenLoop.Result r = loop.run(200, Duration.ofMillis(500), Duration.ZERO, "test");

    assertThat(r.sent()).isEqualTo(100);
    assertThat(r.ok()).isEqualTo(100);
    assertThat(r.errors()).isEmpty();
    // Schedule kept: 100 requests at 200/s span half a second, each sent when it was due.
    assertThat(r.scheduleNanos()).isEqualTo(500_000_000L);
    assertThat(r.maxSendLagNanos()).isZero();
    // Both columns the same: every request took the 2 ms of its answer, measured either way.
    assertThat(r.intended().getTotalCount()).isEqualTo(100);
    assertThat(r.intended().getCountAtValue(serviceNanos)).isEqualTo(100);
    assertThat(r.actual()).isEqualTo(r.intended());
  }

  @Test
  void aRampedRunSendsOnTheRampedSchedule() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    List<Long> sentAt = new ArrayList<>();
    Sender immediate = recording(now, sentAt);
    OpenLoop loop = new OpenLoop(immediate, 64, 2_000, null, now::get, now::addAndGet, null);
    OpenLoop.Result r = loop.run(100, Duration.ofSeconds(3), Duration.ofSeconds(2), "test");

    // 100/s for 3 s with a 2 s ramp: 100 requests in the ramp, 100 after it.
    ArrivalSchedule schedule =
        ArrivalSchedule.of(100, Duration.ofSeconds(3), Duration.ofSeconds(2));
    assertThat(r.sent()).isEqualTo(200).isEqualTo(schedule.count());
    assertThat(r.ok()).isEqualTo(200);
    assertThat(r.rampNanos()).isEqualTo(2_000_000_000L);
    assertThat(r.scheduleNanos()).isEqualTo(3_000_000_000L);
    assertThat(r.maxSendLagNanos()).isZero();
    long start = sentAt.get(0);
    for (int i = 0; i < sentAt.size(); i++) {
      assertThat(sentAt.get(i) - start).isEqualTo(schedule.offsetNanos(i));
    }
  }

  @Test
  void poissonRunsSendAtTheStreamsOffsetsEachRunItsOwn() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    List<Long> sentAt = new ArrayList<>();
    Sender immediate = recording(now, sentAt);
    OpenLoop loop = new OpenLoop(immediate, 64, 2_000, null, now::get, now::addAndGet, 5L);
    ArrivalSchedule schedule = ArrivalSchedule.of(100, Duration.ofSeconds(2), Duration.ZERO);
    for (long run = 0; run < 2; run++) {
      sentAt.clear();
      OpenLoop.Result r = loop.run(100, Duration.ofSeconds(2), Duration.ZERO, "test");
      assertThat(r.sent()).isEqualTo(200).isEqualTo(schedule.count());
      assertThat(r.maxSendLagNanos()).isZero();
      // Run r draws from seed 5 + r.
      ArrivalSchedule.Offsets expected = schedule.poisson(5 + run);
      long start = sentAt.get(0);
      for (long t : sentAt) {
        assertThat(t - start).isEqualTo(expected.next());
      }
      // The achieved rate is over the stream's own length: up to its next arrival.
      assertThat(r.scheduleNanos()).isEqualTo(expected.next());
    }
  }

  @Test
  void failuresAndUnansweredRequestsAreCounted() throws Exception {
    Sender flaky =
        new Sender() {
          @Override
          public void send(long seq, Outcome outcome) {
            if (seq % 4 == 0) {
              outcome.failed("UNAVAILABLE");
            } else if (seq % 4 == 1) {
              throw new IllegalStateException("boom");
            } else if (seq % 4 == 2) {
              outcome.ok();
            } // seq % 4 == 3: never answered
          }

          @Override
          public void close() {}
        };
    // 1 ms deadline: the run waits deadline + 5 s for stragglers, then counts them unfinished.
    OpenLoop loop = new OpenLoop(flaky, 1_000, 1, null, null);
    OpenLoop.Result r = loop.run(100, Duration.ofMillis(200), Duration.ZERO, "test");

    assertThat(r.sent()).isEqualTo(20);
    assertThat(r.ok()).isEqualTo(5);
    assertThat(r.errors())
        .containsEntry("UNAVAILABLE", 5L)
        .containsEntry("IllegalStateException", 5L)
        .containsEntry("unfinished", 5L);
    assertThat(r.intended().getTotalCount()).isEqualTo(5);
  }
}
