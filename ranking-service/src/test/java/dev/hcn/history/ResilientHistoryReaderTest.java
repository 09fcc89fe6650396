package dev.hcn.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.PinnedCarriers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reader's own threads and bounds, on an in-memory store. */
class ResilientHistoryReaderTest {

  private static final UserHistory STORED = new UserHistory(new long[] {7, 8, 9}, Map.of());

  private static ResilientHistoryReader reader(HistorySource store, Duration budget) {
    return new ResilientHistoryReader(
        store,
        CircuitBreaker.ofDefaults("test"),
        budget,
        new HistoryProperties.Cache(1000, Duration.ofMillis(1), Duration.ofMinutes(1)),
        new SimpleMeterRegistry());
  }

  /**
   * Ranking holds every virtual thread's carrier while it runs; the store is still asked and
   * answered within the budget, because its calls run on platform threads. The budget is long for a
   * loaded machine, where the call's new thread may wait for a core, yet shorter than the spinners
   * hold the carriers: a call on a virtual thread could only time out.
   */
  @Test
  void answersInTimeWhileCpuBoundWorkHoldsEveryCarrier() throws Exception {
    try (var pinned = PinnedCarriers.pinAll();
        var reader = reader(id -> STORED, Duration.ofSeconds(10))) {
      HistoryLookup lookup = reader.lookup("u1");
      assertThat(pinned.holding()).as("spinners still holding the carriers").isTrue();
      assertThat(lookup.fallback()).isNull();
      assertThat(lookup.history().items()).containsExactly(7, 8, 9);
    }
  }

  @Test
  void aStoreHoldingEveryCallFallsBackAtOnceInsteadOfQueueing() throws Exception {
    var release = new CountDownLatch(1);
    var held = new CountDownLatch(ResilientHistoryReader.MAX_CALLS_IN_FLIGHT);
    HistorySource stalled =
        id -> {
          held.countDown();
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return STORED;
        };
    List<Thread> callers = new ArrayList<>();
    try (var reader = reader(stalled, Duration.ofSeconds(20))) {
      for (int i = 0; i < ResilientHistoryReader.MAX_CALLS_IN_FLIGHT; i++) {
        String user = "u" + i;
        callers.add(Thread.ofPlatform().start(() -> reader.lookup(user)));
      }
      assertThat(held.await(20, TimeUnit.SECONDS)).as("every call in flight").isTrue();
      HistoryLookup refused = reader.lookup("one-more");
      assertThat(refused.fallback()).isEqualTo(FallbackReason.HISTORY_ERROR);
      release.countDown();
      for (Thread t : callers) {
        t.join();
      }
      assertThat(reader.lookup("after").fallback()).isNull();
    } finally {
      release.countDown();
    }
  }
}
