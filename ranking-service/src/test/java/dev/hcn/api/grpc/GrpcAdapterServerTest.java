package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hcn.api.grpc.v1.GetModelRequest;
import dev.hcn.api.grpc.v1.GetModelResponse;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.api.grpc.v1.UserFeatures;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankQuery;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;

/**
 * The gRPC transport on its own: a real Netty client against Spring gRPC's running server, with a
 * scripted service behind it so that every status, deadline and cancellation path is reachable.
 */
@ScriptedGrpcTest
class GrpcAdapterServerTest extends GrpcChannelTest {

  @Autowired ScriptedRankingService service;
  @Autowired ApplicationContext context;

  private RankingGrpc.RankingBlockingStub stub() {
    return RankingGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void rankCarriesEveryFieldBothWays() {
    RankResponse response =
        stub()
            .rank(
                RankRequest.newBuilder()
                    .setUserId("u1")
                    .setCandidates(ItemIds.newBuilder().addAllIds(List.of(5L, 7L, 9L)))
                    .setK(2)
                    .setHistory(ItemIds.getDefaultInstance())
                    .setUserFeatures(UserFeatures.newBuilder().putValues("gender", "F"))
                    .setExplain(true)
                    .build());

    RankQuery query = service.lastQuery.get();
    assertThat(query.userId()).isEqualTo("u1");
    assertThat(query.candidates()).containsExactly(5, 7, 9);
    assertThat(query.k()).isEqualTo(2);
    assertThat(query.history()).as("present but empty history").isNotNull().isEmpty();
    assertThat(query.userFeatures()).isEqualTo(Map.of("gender", "F"));
    assertThat(query.explain()).isTrue();

    assertThat(response.getModelName()).isEqualTo("scripted");
    assertThat(response.getModelVersion()).isEqualTo("v1");
    assertThat(response.getItemsList()).hasSize(2);
    assertThat(response.getItems(0).getItemId()).isEqualTo(5);
    assertThat(response.getItems(0).getScore()).isEqualTo(0f);
    assertThat(response.getItems(1).getItemId()).isEqualTo(7);
    assertThat(response.getItems(1).getScore()).isEqualTo(-1f);
    assertThat(response.getItems(1).hasDominantInterest()).isTrue();
    assertThat(response.getItems(1).getDominantInterest()).isEqualTo(1);
    assertThat(response.getCandidatesScored()).isEqualTo(3);
  }

  @Test
  void callsRunOnTheFixedCallPool() {
    stub().rank(RankRequest.newBuilder().setUserId("u1").setK(1).build());
    assertThat(service.lastThread.get()).startsWith("grpc-rank-");
  }

  @Test
  void omittedWrappersMeanWholeCatalogueAndStoredHistory() {
    RankResponse response = stub().rank(RankRequest.newBuilder().setUserId("u2").setK(5).build());

    RankQuery query = service.lastQuery.get();
    assertThat(query.candidates()).as("whole catalogue").isNull();
    assertThat(query.history()).as("read the history store").isNull();
    assertThat(query.userFeatures()).as("read the feature store").isNull();
    assertThat(response.getItemsList()).hasSize(3);
    assertThat(response.getItems(0).hasDominantInterest()).as("not explained").isFalse();
  }

  @Test
  void emptyUserIdIsAbsent() {
    stub().rank(RankRequest.newBuilder().setK(1).build());

    assertThat(service.lastQuery.get().userId()).isNull();
  }

  @ParameterizedTest
  @EnumSource(ErrorType.class)
  void eachErrorTypeHasOneStatusWithTypeAndField(ErrorType type) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().rank(RankRequest.newBuilder().setUserId("error:" + type.name()).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(GrpcErrorMapping.code(type));
    assertThat(e.getStatus().getCode()).isNotIn(Status.Code.UNKNOWN, Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).startsWith("user_features: scripted");
    assertThat(GrpcTestClient.errorType(e)).contains(type.slug());
    assertThat(GrpcTestClient.field(e)).contains("user_features");
  }

  @Test
  void unexpectedFailureIsInternalWithoutDetails() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().rank(RankRequest.newBuilder().setUserId("crash").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).doesNotContain("secret");
  }

  @Test
  void anErrorIsAnsweredInternalAndTheServerKeepsServing() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().rank(RankRequest.newBuilder().setUserId("overflow").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).doesNotContain("secret");
    assertThat(stub().rank(RankRequest.newBuilder().setUserId("u").setK(2).build()).getItemsCount())
        .isEqualTo(2);
  }

  @Test
  void passedDeadlineStopsTheWorkOnTheServer() throws InterruptedException {
    service.stops.clear();
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                RankingGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                    .rank(RankRequest.newBuilder().setUserId("busy").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(service.stops.poll(10, TimeUnit.SECONDS)).isEqualTo(ErrorType.DEADLINE_EXCEEDED);
  }

  @Test
  void cancelledCallStopsTheWorkOnTheServer() throws Exception {
    service.stops.clear();
    service.lastQuery.set(null);
    Context.CancellableContext call = Context.current().withCancellation();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    call.run(
        () ->
            RankingGrpc.newStub(channel)
                .rank(
                    RankRequest.newBuilder().setUserId("busy").build(),
                    new StreamObserver<>() {
                      @Override
                      public void onNext(RankResponse value) {}

                      @Override
                      public void onError(Throwable t) {
                        outcome.complete(t);
                      }

                      @Override
                      public void onCompleted() {
                        outcome.complete(null);
                      }
                    }));
    // Cancel only once the server is working on the call.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (service.lastQuery.get() == null && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    call.cancel(null);

    Throwable error = outcome.get(10, TimeUnit.SECONDS);
    assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(service.stops.poll(10, TimeUnit.SECONDS)).isEqualTo(ErrorType.CANCELLED);
  }

  @Test
  void getModelDescribesTheBundle() {
    GetModelResponse model = stub().getModel(GetModelRequest.getDefaultInstance());

    assertThat(model.getName()).isEqualTo("scripted");
    assertThat(model.getVersion()).isEqualTo("20260101-abcdef12");
    assertThat(model.getInterests()).isEqualTo(8);
    assertThat(model.getDim()).isEqualTo(48);
    assertThat(model.getLongLength()).isEqualTo(80);
    assertThat(model.getShortLength()).isEqualTo(20);
    assertThat(model.getUserFeaturesList()).containsExactly("gender", "age");
  }

  private static RankRequest withWidestIds(int count) {
    // Negative ids take the widest varint, 10 bytes each.
    ItemIds.Builder ids = ItemIds.newBuilder();
    for (long i = 1; i <= count; i++) {
      ids.addIds(-i);
    }
    return RankRequest.newBuilder().setUserId("big").setK(1).setCandidates(ids).build();
  }

  @Test
  void defaultInboundLimitCarriesTheLargestAllowedRequest() {
    // hcn.ranking.max-candidates (200,000) ids at their widest: 2 MB, inside the derived limit.
    RankRequest request = withWidestIds(200_000);
    assertThat(request.getSerializedSize()).isGreaterThan(2_000_000);

    assertThat(stub().rank(request).getCandidatesScored()).isEqualTo(200_000);
  }

  @Test
  void oneCandidateOverTheLimitIsRefusedWithItsTypeBeforeTheService() {
    var e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            StatusRuntimeException.class, () -> stub().rank(withWidestIds(200_001)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(GrpcTestClient.errorType(e)).contains("too-many-candidates");
  }

  @Test
  void aMessageFarOverTheCandidateLimitIsRefusedBeforeItIsParsed() {
    var e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            StatusRuntimeException.class, () -> stub().rank(withWidestIds(300_000)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(GrpcTestClient.errorType(e)).contains("payload-too-large");
    assertThat(e.getStatus().getDescription()).contains("exceeds maximum size");
  }

  @Test
  void healthFollowsReadiness() {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    List<String> services = List.of("", "hcn.ranking.v1.Ranking");
    try {
      for (String name : services) {
        assertThat(status(health, name)).as(name).isEqualTo(ServingStatus.SERVING);
      }
      AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
      for (String name : services) {
        assertThat(status(health, name)).as(name).isEqualTo(ServingStatus.NOT_SERVING);
      }
    } finally {
      AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
    }
    assertThat(status(health, "hcn.ranking.v1.Ranking")).isEqualTo(ServingStatus.SERVING);
  }

  private static ServingStatus status(HealthGrpc.HealthBlockingStub health, String service) {
    return health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  @Test
  void reflectionListsTheRankingService() throws Exception {
    assertThat(GrpcTestClient.reflectedServices(channel))
        .contains("hcn.ranking.v1.Ranking", "grpc.health.v1.Health");
  }
}
