package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Waits behind other calls are measured; a task that found a free thread waited for nothing. */
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
}
