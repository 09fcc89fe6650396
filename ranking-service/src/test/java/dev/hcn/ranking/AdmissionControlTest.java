package dev.hcn.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** The limiter alone: slots, candidate weights, refusals by reason and permits given back. */
class AdmissionControlTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RankingMetrics metrics = new RankingMetrics(meters);

  private AdmissionControl limiter(int concurrent, long candidates, Duration queue) {
    return limiter(concurrent, candidates, queue, Duration.ZERO);
  }

  private AdmissionControl limiter(
      int concurrent, long candidates, Duration queue, Duration roomWait) {
    return new AdmissionControl(
        new AdmissionProperties(concurrent, candidates, queue, roomWait), metrics);
  }

  private static RequestContext context(long queuedNanos, boolean expired) {
    return new RequestContext() {
      @Override
      public String api() {
        return "rest";
      }

      @Override
      public void checkpoint() {
        if (expired) {
          throw new RankingException(ErrorType.DEADLINE_EXCEEDED, "gone");
        }
      }

      @Override
      public long queuedNanos() {
        return queuedNanos;
      }
    };
  }

  private static final RequestContext FRESH = context(0, false);

  private double shed(String reason) {
    var counter = meters.find("hcn.rank.shed").tag("api", "rest").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private static void assertOverloaded(Runnable admit) {
    assertThatThrownBy(admit::run)
        .isInstanceOfSatisfying(
            RankingException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.OVERLOADED));
  }

  @Test
  void refusesAtOnceBeyondTheSlotsAndAdmitsAgainWhenOneIsGivenBack() {
    var admission = limiter(2, 1_000_000, Duration.ZERO);
    var first = admission.admit(FRESH, 10);
    var second = admission.admit(FRESH, 10);
    assertOverloaded(() -> admission.admit(FRESH, 10));
    assertThat(shed("concurrency")).isEqualTo(1);
    first.close();
    first.close(); // a second close gives nothing back twice
    assertThat(admission.availableSlots()).isEqualTo(1);
    var third = admission.admit(FRESH, 10);
    assertOverloaded(() -> admission.admit(FRESH, 10));
    second.close();
    third.close();
    assertThat(admission.availableSlots()).isEqualTo(2);
    assertThat(admission.availableVolume()).isEqualTo(1_000_000);
  }

  @Test
  void weighsRequestsByTheirCandidates() {
    var admission = limiter(10, 100, Duration.ZERO);
    var big = admission.admit(FRESH, 60);
    assertThat(admission.availableVolume()).isEqualTo(40);
    assertOverloaded(() -> admission.admit(FRESH, 60));
    assertThat(shed("volume")).isEqualTo(1);
    // The refused request gave its slot back.
    assertThat(admission.availableSlots()).isEqualTo(9);
    var fits = admission.admit(FRESH, 40);
    assertOverloaded(() -> admission.admit(FRESH, 0)); // every request weighs at least one
    big.close();
    fits.close();
    assertThat(admission.availableVolume()).isEqualTo(100);
  }

  /** A context that counts the waits it was asked to run off the CPU. */
  private static final class CountingOffCpu implements RequestContext {
    final AtomicInteger offCpu = new AtomicInteger();

    @Override
    public String api() {
      return "rest";
    }

    @Override
    public void checkpoint() {}

    @Override
    public <T> T offCpu(Supplier<T> wait) {
      offCpu.incrementAndGet();
      return wait.get();
    }
  }

  private static CompletableFuture<AdmissionControl.Permit> admitOnAnotherThread(
      AdmissionControl admission, RequestContext context, long candidates) {
    var admitted = new CompletableFuture<AdmissionControl.Permit>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                admitted.complete(admission.admit(context, candidates));
              } catch (RuntimeException e) {
                admitted.completeExceptionally(e);
              }
            });
    return admitted;
  }

  /** Until a request waits for room; fails if the one meant to wait ended instead. */
  private static void awaitWaiter(AdmissionControl admission, CompletableFuture<?> waiting)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!admission.someoneWaitsForRoom()) {
      assertThat(waiting).as("the request meant to wait").isNotDone();
      assertThat(System.nanoTime()).as("waiting within 10 s").isLessThan(until);
      Thread.sleep(1);
    }
  }

  @Test
  void aRequestShortOfRoomWaitsForItOffTheCpuAndRunsWhenItFrees() throws Exception {
    var admission = limiter(10, 100, Duration.ZERO, Duration.ofSeconds(10));
    var running = admission.admit(FRESH, 60);
    var waiter = new CountingOffCpu();
    var admitted = admitOnAnotherThread(admission, waiter, 60);
    awaitWaiter(admission, admitted);
    assertThat(admitted).isNotDone();
    running.close();
    try (var permit = admitted.get(10, TimeUnit.SECONDS)) {
      assertThat(admission.availableVolume()).isEqualTo(40);
    }
    assertThat(waiter.offCpu).hasValue(1);
    assertThat(shed("volume")).isZero();
    assertThat(admission.availableVolume()).isEqualTo(100);
    assertThat(admission.availableSlots()).isEqualTo(10);
  }

  @Test
  void whileOneWaitsForRoomTheNextAreRefusedAtOnceEvenIfTheyWouldFit() throws Exception {
    var admission = limiter(10, 100, Duration.ZERO, Duration.ofSeconds(10));
    var running = admission.admit(FRESH, 60);
    var admitted = admitOnAnotherThread(admission, FRESH, 60);
    awaitWaiter(admission, admitted);
    var late = new CountingOffCpu();
    assertOverloaded(() -> admission.precheck(late, 60));
    assertOverloaded(() -> admission.admit(late, 60));
    // 10 would fit in the 40 left, but the waiting request goes first.
    assertOverloaded(() -> admission.admit(late, 10));
    assertThat(late.offCpu).hasValue(0);
    assertThat(shed("volume")).isEqualTo(3);
    running.close();
    admitted.get(10, TimeUnit.SECONDS).close();
    assertThat(admission.availableVolume()).isEqualTo(100);
    assertThat(admission.availableSlots()).isEqualTo(10);
  }

  @Test
  void aWaitForRoomEndsInARefusalAfterItsLimit() {
    Duration limit = Duration.ofMillis(200);
    var admission = limiter(10, 100, Duration.ZERO, limit);
    try (var running = admission.admit(FRESH, 60)) {
      // Passing the precheck: no one waits, so this request may.
      admission.precheck(FRESH, 60);
      long start = System.nanoTime();
      RankingException refused = null;
      try {
        admission.admit(FRESH, 60).close();
      } catch (RankingException e) {
        refused = e;
      }
      long waited = System.nanoTime() - start;
      assertThat(refused).isNotNull();
      assertThat(refused.type()).isEqualTo(ErrorType.OVERLOADED);
      assertThat(waited).isGreaterThanOrEqualTo(limit.toNanos());
      assertThat(shed("volume")).isEqualTo(1);
      assertThat(admission.availableSlots()).isEqualTo(9);
      assertThat(admission.someoneWaitsForRoom()).isFalse();
    }
  }

  @Test
  void whileOverAThirdOfRecentRequestsAreRefusedNoneWaitsForRoomUntilFewerAre() throws Exception {
    var admission = limiter(2, 100, Duration.ZERO, Duration.ofSeconds(30));
    var running = admission.admit(FRESH, 60);
    var second = admission.admit(FRESH, 10);
    // Both slots taken: refusals until their share of the recent requests passes the limit.
    int refusals = 0;
    while (admission.refusedShare() <= AdmissionControl.REFUSED_SHARE_WITHOUT_WAIT) {
      assertOverloaded(() -> admission.admit(FRESH, 1));
      assertThat(++refusals).as("refusals before the share passes the limit").isLessThan(100);
    }
    second.close();
    // A slot is free, 40 units are, and no one waits; yet this request short of room is refused
    // at once instead of waiting its 30 s.
    var refused = new CountingOffCpu();
    assertOverloaded(() -> admission.precheck(refused, 60));
    assertOverloaded(() -> admission.admit(refused, 60));
    assertThat(refused.offCpu).hasValue(0);
    assertThat(admission.someoneWaitsForRoom()).isFalse();
    // Requests that fit are admitted meanwhile, and bring the share back down.
    while (admission.refusedShare() > AdmissionControl.REFUSED_SHARE_WITHOUT_WAIT) {
      admission.admit(FRESH, 40).close();
    }
    var waiter = new CountingOffCpu();
    var admitted = admitOnAnotherThread(admission, waiter, 60);
    awaitWaiter(admission, admitted);
    running.close();
    admitted.get(10, TimeUnit.SECONDS).close();
    assertThat(waiter.offCpu).hasValue(1);
    assertThat(admission.availableVolume()).isEqualTo(100);
    assertThat(admission.availableSlots()).isEqualTo(2);
  }

  @Test
  void aRequestHeavierThanTheWholeBudgetRunsAlone() {
    var admission = limiter(10, 100, Duration.ZERO);
    try (var huge = admission.admit(FRESH, 5_000)) {
      assertThat(admission.availableVolume()).isZero();
      assertOverloaded(() -> admission.admit(FRESH, 1));
    }
    assertThat(admission.availableVolume()).isEqualTo(100);
  }

  @Test
  void aCallerWhoseDeadlinePassedIsDroppedBeforeTakingAnything() {
    var admission = limiter(1, 100, Duration.ZERO);
    assertThatThrownBy(() -> admission.admit(context(0, true), 10))
        .isInstanceOfSatisfying(
            RankingException.class,
            e -> assertThat(e.type()).isEqualTo(ErrorType.DEADLINE_EXCEEDED));
    assertThat(shed("deadline")).isEqualTo(1);
    assertThat(admission.availableSlots()).isEqualTo(1);
    assertThat(admission.availableVolume()).isEqualTo(100);
  }

  @Test
  void callsAreRefusedOnlyOnceEveryWaitHasBeenTooLongForAWhile() {
    long[] now = {1_000_000_000L};
    var admission =
        new AdmissionControl(
            new AdmissionProperties(4, 100, Duration.ofMillis(10), Duration.ZERO),
            metrics,
            () -> now[0]);
    RequestContext slow = context(Duration.ofMillis(11).toNanos(), false);
    RequestContext quick = context(Duration.ofMillis(9).toNanos(), false);
    // A burst or a stall: long waits for less than the standing-queue interval are admitted.
    admission.admit(slow, 1).close();
    now[0] += Duration.ofMillis(99).toNanos();
    admission.admit(slow, 1).close();
    // A standing queue: still too long 100 ms later.
    now[0] += Duration.ofMillis(1).toNanos();
    assertOverloaded(() -> admission.admit(slow, 1));
    assertThat(shed("queue")).isEqualTo(1);
    assertThat(admission.availableSlots()).isEqualTo(4);
    // A call that waited within the limit ends it.
    admission.admit(quick, 1).close();
    admission.admit(slow, 1).close();
    // Transports without a queue report a negative wait and never end or start one.
    now[0] += Duration.ofMillis(100).toNanos();
    admission.admit(context(-1, false), 1).close();
    assertOverloaded(() -> admission.admit(slow, 1));
    assertThat(shed("queue")).isEqualTo(2);
    // 0 = no limit on the wait
    var unlimited =
        new AdmissionControl(
            new AdmissionProperties(4, 100, Duration.ZERO, Duration.ZERO), metrics, () -> now[0]);
    unlimited.admit(context(Duration.ofMinutes(5).toNanos(), false), 1).close();
    now[0] += Duration.ofSeconds(1).toNanos();
    unlimited.admit(context(Duration.ofMinutes(5).toNanos(), false), 1).close();
  }

  @Test
  void everyShedReasonAndTheOverloadedOutcomeExistFromTheStart() {
    for (String api : new String[] {"rest", "grpc"}) {
      for (String reason : new String[] {"concurrency", "volume", "queue", "deadline"}) {
        assertThat(meters.find("hcn.rank.shed").tag("api", api).tag("reason", reason).counter())
            .isNotNull();
      }
      for (String outcome : new String[] {"ok", "internal", "overloaded"}) {
        assertThat(meters.find("hcn.rank.requests").tag("api", api).tag("outcome", outcome).timer())
            .isNotNull();
      }
    }
  }

  @Test
  void releasesItsPermitsWhenTheWorkThrows() {
    var admission = limiter(2, 100, Duration.ZERO);
    List<Throwable> thrown = new ArrayList<>();
    for (Throwable failure :
        new Throwable[] {new IllegalStateException("boom"), new StackOverflowError()}) {
      try (var admitted = admission.admit(FRESH, 50)) {
        throw failure;
      } catch (Throwable t) {
        thrown.add(t);
      }
    }
    assertThat(thrown).hasSize(2);
    assertThat(admission.availableSlots()).isEqualTo(2);
    assertThat(admission.availableVolume()).isEqualTo(100);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(AdmissionProperties.class)
  static class Props {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
          .withUserConfiguration(Props.class);

  @Test
  void defaultsAreSizedToTheMachine() {
    runner.run(
        context -> {
          var p = context.getBean(AdmissionProperties.class);
          int cores = Runtime.getRuntime().availableProcessors();
          assertThat(p.effectiveMaxConcurrent()).isEqualTo(2 * cores);
          assertThat(p.effectiveMaxCandidatesInFlight()).isEqualTo(200_000L);
          assertThat(p.maxQueueWait()).isEqualTo(Duration.ofMillis(10));
          assertThat(p.maxRoomWait()).isEqualTo(Duration.ofMillis(15));
        });
    runner
        .withPropertyValues(
            "hcn.ranking.admission.max-concurrent=3",
            "hcn.ranking.admission.max-candidates-in-flight=5000")
        .run(
            context -> {
              var p = context.getBean(AdmissionProperties.class);
              assertThat(p.effectiveMaxConcurrent()).isEqualTo(3);
              assertThat(p.effectiveMaxCandidatesInFlight()).isEqualTo(5000);
            });
  }

  @Test
  void invalidValuesStopStartUp() {
    for (String bad :
        new String[] {
          "hcn.ranking.admission.max-concurrent=-1",
          "hcn.ranking.admission.max-candidates-in-flight=-5",
          "hcn.ranking.admission.max-queue-wait=-1ms",
          "hcn.ranking.admission.max-queue-wait=2h",
          "hcn.ranking.admission.max-room-wait=-1ms",
          "hcn.ranking.admission.max-room-wait=1m"
        }) {
      runner.withPropertyValues(bad).run(context -> assertThat(context).as(bad).hasFailed());
    }
  }
}
