package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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

  private static boolean runsRefusing(java.util.concurrent.Executor executor) throws Exception {
    var seen = new CompletableFuture<Boolean>();
    executor.execute(() -> seen.complete(CallQueue.refusing()));
    return seen.get(10, TimeUnit.SECONDS);
  }

  @Test
  void rankingCallsBeyondTheBoundAreRefusedOthersWait() throws Exception {
    var threads = Executors.newFixedThreadPool(1);
    var timed = new QueueTimedExecutor(threads);
    var queue = new CallQueue(timed, 2);
    var release = new CountDownLatch(1);
    Runnable blocked =
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
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
}
