package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A ranking call that arrives to a full queue is placed on the refusal thread; other calls, and
 * ranking calls while there is room, go to the pool.
 */
class CallQueueTest {

  /** A call of the given method, as gRPC hands it to the supplier before anything ran. */
  private static <Q, R> ServerCall<Q, R> callOf(MethodDescriptor<Q, R> method) {
    return new ServerCall<>() {
      @Override
      public void request(int numMessages) {}

      @Override
      public void sendHeaders(Metadata headers) {}

      @Override
      public void sendMessage(R message) {}

      @Override
      public void close(Status status, Metadata trailers) {}

      @Override
      public boolean isCancelled() {
        return false;
      }

      @Override
      public Attributes getAttributes() {
        return Attributes.EMPTY;
      }

      @Override
      public MethodDescriptor<Q, R> getMethodDescriptor() {
        return method;
      }
    };
  }

  /**
   * Places {@code calls} ranking calls one after the other, each keeping a thread busy for {@code
   * millis} of the pool's clock, then moves the clock past the next estimate.
   */
  private static void runCalls(
      CallQueue queue, QueueTimedExecutor timed, AtomicLong now, int calls, long millis)
      throws Exception {
    for (int i = 0; i < calls; i++) {
      long busyBefore = timed.busyNanos();
      queue
          .getExecutor(callOf(RankingGrpc.getRankMethod()), new Metadata())
          .execute(() -> now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis)));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      // The busy time is added once the task has returned.
      while (timed.busyNanos() - busyBefore < TimeUnit.MILLISECONDS.toNanos(millis)
          && System.nanoTime() < until) {
        Thread.sleep(1);
      }
    }
    now.addAndGet(CallQueue.ESTIMATE_EVERY_NANOS);
  }

  private static boolean runsRefusing(java.util.concurrent.Executor executor) throws Exception {
    var seen = new CompletableFuture<Boolean>();
    executor.execute(() -> seen.complete(CallQueue.refusing()));
    return seen.get(10, TimeUnit.SECONDS);
  }

  @Test
  void rankingCallsBeyondTheBoundAreRefusedOthersWait() throws Exception {
    var threads = Executors.newFixedThreadPool(1);
    var timed = new QueueTimedExecutor(threads);
    var queue = new CallQueue(timed, 2, Duration.ZERO);
    var release = new CountDownLatch(1);
    Runnable blocked = Blocker.until(release);
    try {
      var rank = callOf(RankingGrpc.getRankMethod());
      var interests = callOf(RankingGrpc.getGetInterestsMethod());
      var model = callOf(RankingGrpc.getGetModelMethod());
      var ingest = callOf(RankingGrpc.getIngestMethod());

      var started = new CountDownLatch(1);
      queue
          .getExecutor(rank, new Metadata())
          .execute(
              () -> {
                started.countDown();
                blocked.run();
              });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(queue.waiting()).as("running, not waiting").isZero();

      var second = queue.getExecutor(rank, new Metadata());
      second.execute(blocked);
      second.execute(blocked); // a later task of the same call: the call waits once
      assertThat(queue.waiting()).isEqualTo(1);
      var third = queue.getExecutor(rank, new Metadata());
      assertThat(third).as("room for one more").isNotSameAs(timed);
      var thirdRan = new CompletableFuture<Boolean>();
      third.execute(() -> thirdRan.complete(CallQueue.refusing()));
      assertThat(queue.waiting()).isEqualTo(2);

      assertThat(runsRefusing(queue.getExecutor(rank, new Metadata()))).isTrue();
      assertThat(runsRefusing(queue.getExecutor(interests, new Metadata()))).isTrue();
      assertThat(queue.getExecutor(model, new Metadata())).isSameAs(timed);
      assertThat(queue.getExecutor(ingest, new Metadata())).isSameAs(timed);
      assertThat(queue.waiting()).as("refusals do not queue").isEqualTo(2);
      assertThat(CallQueue.refusing()).as("outside the refusal thread").isFalse();

      release.countDown();
      assertThat(thirdRan.get(10, TimeUnit.SECONDS)).as("a placed call runs on the pool").isFalse();
      assertThat(queue.waiting()).isZero();
      assertThat(runsRefusing(queue.getExecutor(rank, new Metadata()))).as("drained").isFalse();
    } finally {
      release.countDown();
      queue.close();
      threads.shutdownNow();
    }
  }

  @Test
  void callsWaitingBehindOtherWorkArePlaced() throws Exception {
    var now = new AtomicLong();
    var threads = Executors.newFixedThreadPool(2);
    var timed = new QueueTimedExecutor(threads, now::get);
    var queue = new CallQueue(timed, 16, Duration.ofMillis(10));
    var release = new CountDownLatch(1);
    try {
      var rank = callOf(RankingGrpc.getRankMethod());
      runCalls(queue, timed, now, 2, 30);
      Runnable blocked = Blocker.until(release);
      // A thread busy with something other than a ranking call: a waiting call is not refused.
      timed.execute(blocked);
      var running = new CountDownLatch(1);
      queue
          .getExecutor(rank, new Metadata())
          .execute(
              () -> {
                running.countDown();
                blocked.run();
              });
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(queue.nanosPerCall()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
      queue.getExecutor(rank, new Metadata()).execute(blocked);
      assertThat(queue.waiting()).isEqualTo(1);
      queue.getExecutor(rank, new Metadata()).execute(blocked);
      assertThat(queue.waiting()).as("placed: not every thread runs a ranking call").isEqualTo(2);
      release.countDown();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (queue.waiting() > 0 && System.nanoTime() < until) {
        Thread.sleep(5);
      }
    } finally {
      release.countDown();
      queue.close();
      threads.shutdownNow();
    }
  }

  @Test
  void whileEveryThreadRanksOneWaitingCallOfTheMeasuredTimeIsEnough() throws Exception {
    var now = new AtomicLong();
    var threads = Executors.newFixedThreadPool(2);
    var timed = new QueueTimedExecutor(threads, now::get);
    var queue = new CallQueue(timed, 16, Duration.ofMillis(10));
    var release = new CountDownLatch(1);
    Runnable blocked = Blocker.until(release);
    try {
      var rank = callOf(RankingGrpc.getRankMethod());
      runCalls(queue, timed, now, 2, 30);
      // Both threads rank, then one call waits: 1 x 30 ms / 2 threads = 15 ms > 10 ms.
      var running = new CountDownLatch(2);
      for (int i = 0; i < 2; i++) {
        queue
            .getExecutor(rank, new Metadata())
            .execute(
                () ->
                    queue.ranking(
                        () -> {
                          running.countDown();
                          blocked.run();
                          return null;
                        }));
      }
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      queue.getExecutor(rank, new Metadata()).execute(blocked);
      assertThat(queue.waiting()).as("nothing waited yet: placed").isEqualTo(1);
      assertThat(runsRefusing(queue.getExecutor(rank, new Metadata())))
          .as("one call waiting, 15 ms ahead")
          .isTrue();
    } finally {
      release.countDown();
      queue.close();
      threads.shutdownNow();
    }
  }

  @Test
  void smallCallsMayQueueUpToTheCount() throws Exception {
    var now = new AtomicLong();
    var threads = Executors.newFixedThreadPool(1);
    var timed = new QueueTimedExecutor(threads, now::get);
    var queue = new CallQueue(timed, 4, Duration.ofMillis(10));
    var release = new CountDownLatch(1);
    try {
      var rank = callOf(RankingGrpc.getRankMethod());
      runCalls(queue, timed, now, 1, 1);
      var running = new CountDownLatch(1);
      queue
          .getExecutor(rank, new Metadata())
          .execute(
              () -> {
                running.countDown();
                Blocker.until(release).run();
              });
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      // 1 ms calls: four waiting make 4 ms, under the 10 ms; the count bound refuses the fifth.
      for (int i = 0; i < 4; i++) {
        var placed = queue.getExecutor(rank, new Metadata());
        placed.execute(() -> {});
      }
      assertThat(queue.waiting()).isEqualTo(4);
      assertThat(runsRefusing(queue.getExecutor(rank, new Metadata()))).isTrue();
    } finally {
      release.countDown();
      queue.close();
      threads.shutdownNow();
    }
  }
}
