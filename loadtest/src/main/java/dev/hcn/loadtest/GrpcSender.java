package dev.hcn.loadtest;

import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;

/** Asynchronous {@code Rank} calls over one channel (HTTP/2 multiplexes them). */
final class GrpcSender implements Sender {

  private final ManagedChannel channel;
  private final RankingGrpc.RankingStub stub;
  private final Workload workload;
  private final int k;
  private final long deadlineMs;

  /** Candidate lists as messages, built once: a request then only adds its user and k. */
  private final ItemIds[] sets;

  GrpcSender(String target, Workload workload, int k, long deadlineMs) {
    this.channel =
        Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    this.stub = RankingGrpc.newStub(channel);
    this.workload = workload;
    this.k = k;
    this.deadlineMs = deadlineMs;
    this.sets = new ItemIds[workload.setCount()];
    for (int i = 0; i < sets.length; i++) {
      ItemIds.Builder b = ItemIds.newBuilder();
      for (long id : workload.candidateSet(i)) {
        b.addIds(id);
      }
      sets[i] = b.build();
    }
  }

  /** Waits until the channel is connected; false when it cannot be within 10 s. */
  boolean connect() throws InterruptedException {
    return HcnCli.connect(channel);
  }

  @Override
  public void send(long seq, Outcome outcome) {
    RankRequest.Builder request = RankRequest.newBuilder().setUserId(workload.user(seq)).setK(k);
    int set = workload.setOf(seq);
    if (set >= 0) {
      request.setCandidates(sets[set]);
    }
    stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
        .rank(
            request.build(),
            new StreamObserver<>() {
              @Override
              public void onNext(RankResponse value) {}

              @Override
              public void onError(Throwable t) {
                outcome.failed(Status.fromThrowable(t).getCode().name());
              }

              @Override
              public void onCompleted() {
                outcome.ok();
              }
            });
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
