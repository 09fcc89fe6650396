package dev.hcn.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HistoryStoreWarmUpTest {

  @Test
  void runsOnItsOwnThreadAndAwaitReturnsWhenItIsDone() {
    AtomicReference<String> thread = new AtomicReference<>();
    var warmUp =
        HistoryStoreWarmUp.start(
            () -> thread.set(Thread.currentThread().getName()), Duration.ofSeconds(30));
    assertThat(warmUp.await()).isTrue();
    assertThat(thread.get()).isEqualTo("history-warm-up");
  }

  @Test
  void aFailingStoreOnlyLogs() {
    var warmUp =
        HistoryStoreWarmUp.start(
            () -> {
              throw new IllegalStateException("connection refused");
            },
            Duration.ofSeconds(30));
    assertThat(warmUp.await()).isFalse();
  }

  @Test
  void aHangingStoreIsWaitedForOnlyUntilTheBoundFromTheStart() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    var warmUp = HistoryStoreWarmUp.start(() -> awaitQuietly(never), Duration.ofMillis(200));
    Thread.sleep(300);
    // The bound has passed already, so this returns at once, without the warm-up.
    assertThat(warmUp.await()).isFalse();
    never.countDown();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
