package dev.hcn.api.grpc;

import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.logging.LogSafe;
import dev.hcn.ranking.ApiWarmUp;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.stereotype.Component;

/** Start-up requests through the gRPC API: {@code Rank} calls to this service's own port. */
@Component
final class GrpcWarmUp implements ApiWarmUp, ApplicationListener<GrpcServerStartedEvent> {

  private static final Logger log = LoggerFactory.getLogger(GrpcWarmUp.class);

  /** Longer than any warm call takes, short enough not to hold start-up on a stuck one. */
  static final long DEADLINE_SECONDS = 5;

  private volatile int port = -1;

  @Override
  public void onApplicationEvent(GrpcServerStartedEvent event) {
    port = event.getPort();
  }

  @Override
  public String name() {
    return GrpcRequestContext.API;
  }

  @Override
  public void send(List<String> users, int requests) {
    if (port <= 0) {
      return;
    }
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      var stub = RankingGrpc.newBlockingStub(channel);
      for (int i = 0; i < requests; i++) {
        stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
            .rank(RankRequest.newBuilder().setUserId(users.get(i % users.size())).setK(10).build());
      }
    } catch (RuntimeException e) {
      log.warn("gRPC warm-up failed; serving without it: {}", LogSafe.text(e));
    } finally {
      channel.shutdownNow();
    }
  }
}
