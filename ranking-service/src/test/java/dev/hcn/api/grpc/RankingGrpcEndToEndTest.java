package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hcn.ServiceTest;
import dev.hcn.api.grpc.v1.GetModelRequest;
import dev.hcn.api.grpc.v1.GetModelResponse;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankedItem;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The whole service (real bundle, real ONNX Runtime) over gRPC with a real Netty client. {@link
 * ServiceTest} sets max-candidates to 20,000 so the limit is cheap to cross.
 */
@ServiceTest
class RankingGrpcEndToEndTest extends GrpcChannelTest {

  @Autowired ModelRegistry registry;

  private RankingGrpc.RankingBlockingStub stub() {
    return RankingGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private ModelBundle bundle() {
    return registry.current().orElseThrow();
  }

  private int catalogue() {
    return bundle().items().rows() - 1;
  }

  private static ItemIds ids(long... ids) {
    ItemIds.Builder out = ItemIds.newBuilder();
    for (long id : ids) {
      out.addIds(id);
    }
    return out.build();
  }

  private StatusRuntimeException failure(RankRequest request) {
    return catchThrowableOfType(StatusRuntimeException.class, () -> stub().rank(request));
  }

  @Test
  void ranksTheWholeCatalogueForTheDemoUser() {
    RankResponse r = stub().rank(RankRequest.newBuilder().setUserId("42").setK(10).build());

    assertThat(r.getModelName()).isEqualTo(bundle().name());
    assertThat(r.getModelVersion()).isEqualTo(bundle().version());
    assertThat(r.getItemsList()).hasSize(10);
    assertThat(r.getCandidatesScored()).isEqualTo(catalogue());
    assertThat(r.getCandidatesUnknown()).isZero();
    assertThat(r.getColdStart()).isFalse();
    assertThat(r.getFallback()).isFalse();
    for (int i = 1; i < r.getItemsCount(); i++) {
      assertThat(r.getItems(i).getScore()).isLessThanOrEqualTo(r.getItems(i - 1).getScore());
      assertThat(r.getItems(i).hasDominantInterest()).isFalse();
    }
  }

  @Test
  void candidatesWithUnknownIdsAndDuplicatesAreCountedAndExplained() {
    long a = bundle().items().id(1);
    long b = bundle().items().id(2);
    long c = bundle().items().id(3);
    long unknown = -12345;
    RankResponse r =
        stub()
            .rank(
                RankRequest.newBuilder()
                    .setUserId("42")
                    .setCandidates(ids(a, b, c, a, unknown))
                    .setK(10)
                    .setExplain(true)
                    .build());

    assertThat(r.getItemsList())
        .extracting(RankedItem::getItemId)
        .containsExactlyInAnyOrder(a, b, c);
    assertThat(r.getCandidatesScored()).isEqualTo(3);
    assertThat(r.getCandidatesUnknown()).isEqualTo(1);
    for (RankedItem item : r.getItemsList()) {
      assertThat(item.hasDominantInterest()).isTrue();
      assertThat(item.getDominantInterest()).isBetween(0, bundle().interests() - 1);
    }
  }

  @Test
  void inlineEmptyHistoryIsAColdStart() {
    RankResponse r =
        stub()
            .rank(
                RankRequest.newBuilder()
                    .setUserId("42")
                    .setHistory(ItemIds.getDefaultInstance())
                    .setK(5)
                    .build());

    assertThat(r.getColdStart()).isTrue();
    assertThat(r.getItemsList()).hasSize(5);
  }

  @Test
  void getModelDescribesTheServingBundle() {
    GetModelResponse m = stub().getModel(GetModelRequest.getDefaultInstance());

    assertThat(m.getName()).isEqualTo(bundle().name());
    assertThat(m.getVersion()).isEqualTo(bundle().version());
    assertThat(m.getInterests()).isEqualTo(bundle().interests());
    assertThat(m.getDim()).isEqualTo(bundle().dim());
    assertThat(m.getItems()).isEqualTo(catalogue());
    assertThat(m.getUserFeaturesList()).isEqualTo(bundle().userFeatures());
  }

  @Test
  void kOutOfRangeIsInvalidArgumentNamingK() {
    StatusRuntimeException e = failure(RankRequest.newBuilder().setUserId("42").build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("k must be between 1 and");
    assertThat(GrpcTestClient.errorType(e)).contains("k-out-of-range");
    assertThat(GrpcTestClient.field(e)).contains("k");

    StatusRuntimeException tooBig =
        failure(RankRequest.newBuilder().setUserId("42").setK(1_000_000).build());
    assertThat(tooBig.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void missingUserWithoutInlineHistoryIsInvalidArgumentNamingUserId() {
    StatusRuntimeException e = failure(RankRequest.newBuilder().setK(10).build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("user_id is required");
    assertThat(GrpcTestClient.field(e)).contains("user_id");
  }

  @Test
  void tooManyCandidatesIsResourceExhausted() {
    long[] many = new long[20_001];
    for (int i = 0; i < many.length; i++) {
      many[i] = i + 1;
    }
    StatusRuntimeException e =
        failure(RankRequest.newBuilder().setUserId("42").setK(10).setCandidates(ids(many)).build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(GrpcTestClient.errorType(e)).contains("too-many-candidates");
    assertThat(GrpcTestClient.field(e)).contains("candidates");
  }

  @Test
  void overLongHistoryIsResourceExhausted() {
    long[] history = new long[1_001];
    java.util.Arrays.fill(history, bundle().items().id(1));
    StatusRuntimeException e =
        failure(RankRequest.newBuilder().setK(10).setHistory(ids(history)).build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(GrpcTestClient.errorType(e)).contains("history-too-long");
    assertThat(GrpcTestClient.field(e)).contains("history");
  }

  @Test
  void deadlineTooShortToMeetIsDeadlineExceededAndTheServerStaysHealthy() {
    RankRequest one = RankRequest.newBuilder().setUserId("42").setK(1).build();
    // No localhost round trip through the tower and a whole-catalogue scoring fits in 200 us.
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                RankingGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(200, TimeUnit.MICROSECONDS)
                    .rank(RankRequest.newBuilder().setUserId("42").setK(100).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(stub().rank(one).getItemsCount()).isEqualTo(1);
  }

  @Test
  void healthIsServingOnceTheModelIsReady() {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    for (String service : new String[] {"", "hcn.ranking.v1.Ranking"}) {
      assertThat(
              health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
          .as("service '%s'", service)
          .isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void reflectionListsTheRankingService() throws Exception {
    assertThat(GrpcTestClient.reflectedServices(channel))
        .contains("hcn.ranking.v1.Ranking", "grpc.health.v1.Health");
  }
}
