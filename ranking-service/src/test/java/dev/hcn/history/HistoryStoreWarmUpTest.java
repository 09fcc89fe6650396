package dev.hcn.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HistoryStoreWarmUpTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void connectsOnItsOwnThreadThenReads() throws Exception {
    AtomicReference<String> thread = new AtomicReference<>();
    CountDownLatch read = new CountDownLatch(1);
    var warmUp =
        HistoryStoreWarmUp.start(
            () -> thread.set(Thread.currentThread().getName()), read::countDown, LONG);
    assertThat(warmUp.await()).isTrue();
    assertThat(thread.get()).isEqualTo("history-warm-up");
    assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void readinessWaitsForTheConnectionNotForTheReads() {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean readsDone = new AtomicBoolean();
    var warmUp =
        HistoryStoreWarmUp.start(
            () -> {},
            () -> {
              awaitQuietly(release);
              readsDone.set(true);
            },
            LONG);
    assertThat(warmUp.await()).isTrue();
    assertThat(readsDone).isFalse();
    release.countDown();
  }

  @Test
  void aStoreThatCannotBeReachedOnlyLogsAndIsNotRead() throws Exception {
    AtomicBoolean read = new AtomicBoolean();
    var warmUp =
        HistoryStoreWarmUp.start(
            () -> {
              throw new IllegalStateException("connection refused");
            },
            () -> read.set(true),
            LONG);
    assertThat(warmUp.await()).isFalse();
    Thread.sleep(50);
    assertThat(read).isFalse();
  }

  @Test
  void aHangingStoreIsWaitedForOnlyTheBound() {
    CountDownLatch never = new CountDownLatch(1);
    var warmUp =
        HistoryStoreWarmUp.start(() -> awaitQuietly(never), () -> {}, Duration.ofMillis(200));
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
