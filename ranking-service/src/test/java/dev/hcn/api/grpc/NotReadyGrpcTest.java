package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hcn.api.grpc.v1.GetModelRequest;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.events.EventsProperties;
import dev.hcn.history.HistoryReader;
import dev.hcn.history.UserHistory;
import dev.hcn.model.ModelRegistry;
import dev.hcn.ranking.AdmissionControl;
import dev.hcn.ranking.DefaultRankingService;
import dev.hcn.ranking.InterestCache;
import dev.hcn.ranking.RankingMetrics;
import dev.hcn.ranking.RankingProperties;
import dev.hcn.scoring.ScalarScoringKernel;
import dev.hcn.scoring.TopKScorer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.grpc.server.exception.GrpcExceptionHandlerInterceptor;

/**
 * The real ranking service before a bundle is installed, behind the gRPC adapter and the same
 * exception interceptor Spring gRPC installs: every call is UNAVAILABLE, so clients retry
 * elsewhere.
 */
class NotReadyGrpcTest {

  private static Server server;
  private static ManagedChannel channel;
  private static ExecutorService callThreads;
  private static CallQueue calls;

  @BeforeAll
  static void start() throws Exception {
    var metrics = new RankingMetrics(new SimpleMeterRegistry());
    var limits = new RankingProperties(1000, 200_000, 1000, 256, 64, 20_000, 1, 16, true);
    var service =
        new DefaultRankingService(
            new ModelRegistry(),
            HistoryReader.direct(id -> UserHistory.EMPTY),
            new InterestCache(0, new SimpleMeterRegistry()),
            new TopKScorer(new ScalarScoringKernel(), 20_000, null),
            limits,
            metrics,
            AdmissionControl.unlimited(metrics));
    calls =
        new CallQueue(
            new QueueTimedExecutor(callThreads = Executors.newFixedThreadPool(2)),
            16,
            Duration.ofMillis(10));
    server =
        NettyServerBuilder.forPort(0)
            .addService(
                ServerInterceptors.intercept(
                    new RankingGrpcService(
                        service,
                        events -> {
                          throw new IllegalStateException("not used");
                        },
                        metrics,
                        limits,
                        new EventsProperties(1000, Duration.ofDays(1)),
                        calls),
                    new GrpcExceptionHandlerInterceptor(new GrpcErrorMapping())))
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    calls.close();
    callThreads.shutdownNow();
  }

  private static RankingGrpc.RankingBlockingStub stub() {
    return RankingGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void rankIsUnavailableUntilTheModelIsLoaded() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().rank(RankRequest.newBuilder().setUserId("42").setK(10).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcTestClient.errorType(e)).contains("not-ready");
  }

  @Test
  void getModelIsUnavailableUntilTheModelIsLoaded() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().getModel(GetModelRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }
}
