package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.hcn.ServiceTest;
import dev.hcn.api.grpc.v1.GetInterestsRequest;
import dev.hcn.api.grpc.v1.GetInterestsResponse;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.interests.InterestQuery;
import dev.hcn.interests.InterestReport;
import dev.hcn.ranking.RankingService;
import dev.hcn.ranking.RequestContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** GetInterests and the explain weights over gRPC: the same numbers as the shared service gives. */
@ServiceTest
class GrpcInterestsTest extends GrpcChannelTest {

  @Autowired RankingService service;

  private RankingGrpc.RankingBlockingStub stub() {
    return RankingGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Test
  void interestsOfTheDemoUserMatchTheServiceWithDefaultFourItems() {
    GetInterestsResponse r =
        stub().getInterests(GetInterestsRequest.newBuilder().setUserId("42").build());
    InterestReport expected =
        service.interests(
            new InterestQuery("42", null, null, InterestQuery.DEFAULT_M, 0),
            RequestContext.unbounded("test"));
    assertThat(r.getModelName()).isEqualTo(expected.model().name());
    assertThat(r.getInterestsCount()).isEqualTo(expected.interests().size());
    for (int k = 0; k < r.getInterestsCount(); k++) {
      var got = r.getInterests(k);
      var want = expected.interests().get(k);
      assertThat(got.getIndex()).isEqualTo(k);
      assertThat(got.getNorm()).isEqualTo(want.norm());
      assertThat(got.getClosestItemsCount()).isEqualTo(4);
      for (int i = 0; i < 4; i++) {
        assertThat(got.getClosestItems(i).getItemId())
            .isEqualTo(want.closestItems().get(i).itemId());
        assertThat(got.getClosestItems(i).getTitle()).isEqualTo(want.closestItems().get(i).title());
      }
      assertThat(r.getCosine(k).getValuesList()).hasSize(r.getInterestsCount());
    }
    assertThat(r.getHistoryCount()).isEqualTo(expected.history().size());
    assertThat(r.getHistory(r.getHistoryCount() - 1).getWindow()).isEqualTo("short");
    assertThat(r.getColdStart()).isFalse();
  }

  @Test
  void inlineHistoryAndAnExplicitMAreHonoured() {
    GetInterestsResponse r =
        stub()
            .getInterests(
                GetInterestsRequest.newBuilder()
                    .setHistory(ItemIds.newBuilder().addIds(-3))
                    .setM(2)
                    .build());
    assertThat(r.getColdStart()).isTrue();
    assertThat(r.getInterests(0).getClosestItemsCount()).isEqualTo(2);
    assertThat(r.getHistory(0).getWindow()).isEqualTo("unknown");
    assertThat(r.getHistory(0).hasTitle()).isFalse();
  }

  @Test
  void badInputIsInvalidArgumentWithTheStableType() {
    var e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                stub()
                    .getInterests(
                        GetInterestsRequest.newBuilder().setUserId("42").setM(101).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(GrpcTestClient.errorType(e)).contains("invalid-request");
    assertThat(GrpcTestClient.field(e)).contains("m");
    var missing =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().getInterests(GetInterestsRequest.getDefaultInstance()));
    assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(GrpcTestClient.field(missing)).contains("user_id");
  }

  @Test
  void explainCarriesTheAlphaWeightsAndTitles() {
    RankResponse r =
        stub().rank(RankRequest.newBuilder().setUserId("42").setK(5).setExplain(true).build());
    for (var item : r.getItemsList()) {
      double sum = item.getInterestWeightsList().stream().mapToDouble(Float::doubleValue).sum();
      assertThat(sum).isCloseTo(1.0, within(1e-5));
      assertThat(item.hasTitle()).isTrue();
    }
    RankResponse plain = stub().rank(RankRequest.newBuilder().setUserId("42").setK(5).build());
    assertThat(plain.getItems(0).getInterestWeightsCount()).isZero();
    assertThat(plain.getItems(0).hasTitle()).isFalse();
  }
}
