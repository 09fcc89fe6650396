package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Waits behind other calls are measured; a task that found a free thread waited for nothing; a long
 * wait off the CPU lends the pool a thread.
 */
class QueueTimedExecutorTest {

  @Test
  void measuresOnlyTheWaitBehindBusyThreads() throws Exception {
    var pool = Executors.newFixedThreadPool(1);
    try {
      var timed = new QueueTimedExecutor(pool);
      var release = new CountDownLatch(1);
      var first = new CompletableFuture<Long>();
      var second = new CompletableFuture<Long>();
      timed.execute(
          () -> {
            first.complete(QueueTimedExecutor.currentWait());
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      // The only thread is taken: this task queues until the first one ends.
      timed.execute(() -> second.complete(QueueTimedExecutor.currentWait()));
      assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
      Thread.sleep(50);
      release.countDown();
      assertThat(second.get(10, TimeUnit.SECONDS))
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));

      assertThat(QueueTimedExecutor.currentWait()).as("outside the pool").isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLongWaitOffTheCpuLendsAThreadToTheCallsBehindItUntilItEnds() throws Exception {
    var pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(1);
    try (var timed = new QueueTimedExecutor(pool)) {
      var waiting = new CountDownLatch(1);
      var release = new CountDownLatch(1);
      var behind = new CountDownLatch(1);
      var stalled =
          CompletableFuture.runAsync(
              () ->
                  timed.offCpu(
                      () -> {
                        waiting.countDown();
                        return await(release);
                      }),
              timed);
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
      // The only thread waits on something else: the call behind it runs on a lent thread.
      timed.execute(behind::countDown);
      assertThat(behind.await(10, TimeUnit.SECONDS)).isTrue();
      // The lent thread may run that call before the timer thread, descheduled after growing the
      // pool, has counted the lend.
      assertThat(lentWithin10s(timed, 1)).isEqualTo(1);
      assertThat(pool.getCorePoolSize()).isEqualTo(2);

      release.countDown();
      stalled.get(10, TimeUnit.SECONDS);
      assertThat(timed.lent()).isZero();
      assertThat(pool.getCorePoolSize()).isEqualTo(1);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWaitThatEndsBeforeItsTimerLendsNothingEvenIfTheTimerRunsLate() throws Exception {
    var pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(1);
    // The timer's only thread is held, so no lend can start before the wait below has ended,
    // however the scheduler treats this test.
    var timer = Executors.newSingleThreadScheduledExecutor();
    var timerHeld = new CountDownLatch(1);
    var releaseTimer = new CountDownLatch(1);
    timer.execute(
        () -> {
          timerHeld.countDown();
          await(releaseTimer);
        });
    assertThat(timerHeld.await(10, TimeUnit.SECONDS)).isTrue();
    try (var timed = new QueueTimedExecutor(pool, System::nanoTime, timer)) {
      int sizeDuring =
          CompletableFuture.supplyAsync(
                  () ->
                      timed.offCpu(
                          () -> {
                            sleep(3 * QueueTimedExecutor.LEND_AFTER_NANOS);
                            return pool.getCorePoolSize();
                          }),
                  timed)
              .get(10, TimeUnit.SECONDS);
      assertThat(sizeDuring).isEqualTo(1);
      // The timer is free again, well past the lend's due time: the ended wait starts nothing.
      releaseTimer.countDown();
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(3 * QueueTimedExecutor.LEND_AFTER_NANOS));
      timer.submit(() -> {}).get(10, TimeUnit.SECONDS);
      assertThat(timed.lent()).isZero();
      assertThat(pool.getCorePoolSize()).isEqualTo(1);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(1);
    } finally {
      releaseTimer.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aWaitOffThePoolOnlyRuns() throws Exception {
    var pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(1);
    try (var timed = new QueueTimedExecutor(pool)) {
      // Not on the pool: nothing to lend however long it takes.
      assertThat(
              timed.offCpu(
                  () -> {
                    sleep(3 * QueueTimedExecutor.LEND_AFTER_NANOS);
                    return pool.getCorePoolSize();
                  }))
          .isEqualTo(1);
      assertThat(timed.lent()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void busyTimeLeavesOutTheTimeOffTheCpu() throws Exception {
    var now = new AtomicLong();
    var pool = Executors.newFixedThreadPool(1);
    try (var timed = new QueueTimedExecutor(pool, now::get)) {
      CompletableFuture.runAsync(
              () -> {
                now.addAndGet(3_000_000);
                timed.offCpu(() -> now.addAndGet(50_000_000));
                now.addAndGet(1_000_000);
              },
              timed)
          .get(10, TimeUnit.SECONDS);
      // The pool adds a task's time once it has ended, after the future above completed.
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(timed.busyNanos()).isEqualTo(4_000_000);
    }
  }

  /** The threads lent once they are {@code expected}, or after 10 s what they are then. */
  private static int lentWithin10s(QueueTimedExecutor timed, int expected)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (timed.lent() != expected && System.nanoTime() < end) {
      Thread.sleep(1);
    }
    return timed.lent();
  }

  private static boolean await(CountDownLatch latch) {
    try {
      return latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
