package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.hcn.ServiceTest;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.api.grpc.v1.UserFeatures;
import dev.hcn.model.ModelRegistry;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One application service behind both APIs: the same input sent over REST and over gRPC to the same
 * running application gives the same ranking, scores, counts and error types.
 */
@ServiceTest
class RestGrpcEquivalenceTest extends GrpcChannelTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @LocalServerPort int port;
  @Autowired ModelRegistry registry;

  /** One input, written once, sent both ways. Null fields are left out of both requests. */
  private record Input(
      String userId,
      long[] candidates,
      Integer k,
      long[] history,
      Map<String, String> features,
      boolean explain) {

    String json() {
      Map<String, Object> body = new LinkedHashMap<>();
      if (userId != null) body.put("userId", userId);
      if (candidates != null) body.put("candidates", candidates);
      if (k != null) body.put("k", k);
      if (history != null) body.put("history", history);
      if (features != null) body.put("userFeatures", features);
      body.put("explain", explain);
      return JSON.writeValueAsString(body);
    }

    RankRequest proto() {
      RankRequest.Builder r = RankRequest.newBuilder().setExplain(explain);
      if (userId != null) r.setUserId(userId);
      if (candidates != null) r.setCandidates(ids(candidates));
      if (k != null) r.setK(k);
      if (history != null) r.setHistory(ids(history));
      if (features != null) r.setUserFeatures(UserFeatures.newBuilder().putAllValues(features));
      return r.build();
    }

    private static ItemIds ids(long[] ids) {
      return ItemIds.newBuilder().addAllIds(Arrays.stream(ids).boxed().toList()).build();
    }
  }

  private long id(int row) {
    return registry.current().orElseThrow().items().id(row);
  }

  private long[] rows(int from, int to) {
    long[] out = new long[to - from];
    for (int r = from; r < to; r++) {
      out[r - from] = id(r);
    }
    return out;
  }

  private JsonNode rest(Input input) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/rank"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(input.json()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    return response.statusCode() == 200 ? body : JSON.createObjectNode().set("error", body);
  }

  private RankingGrpc.RankingBlockingStub grpc() {
    return RankingGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Test
  void sameInputGivesTheSameRankingOnBothApis() throws Exception {
    int rows = registry.current().orElseThrow().items().rows();
    long[] mixed = new long[] {id(5), id(7), -1, id(5), id(rows - 1), 999_999_999_999L, id(2)};
    List<Input> inputs =
        List.of(
            new Input("42", null, 100, null, null, false),
            new Input("42", mixed, 5, null, null, true),
            new Input("42", rows(1, Math.min(rows, 400)), 50, null, null, true),
            new Input(
                null,
                rows(1, Math.min(rows, 300)),
                30,
                rows(10, 40),
                Map.of("gender", "F", "age", "25"),
                true),
            new Input("42", null, 20, new long[0], Map.of(), false),
            new Input("no-such-user", null, 25, null, null, false));

    for (Input input : inputs) {
      JsonNode rest = rest(input);
      RankResponse grpc = grpc().rank(input.proto());
      String what = input.json();

      assertThat(rest.has("error")).as(what + " failed over REST: " + rest).isFalse();
      assertThat(grpc.getModelName()).as(what).isEqualTo(rest.get("model").get("name").asString());
      assertThat(grpc.getModelVersion())
          .as(what)
          .isEqualTo(rest.get("model").get("version").asString());
      assertThat(grpc.getCandidatesScored())
          .as(what)
          .isEqualTo(rest.get("candidatesScored").asInt());
      assertThat(grpc.getCandidatesUnknown())
          .as(what)
          .isEqualTo(rest.get("candidatesUnknown").asInt());
      assertThat(grpc.getColdStart()).as(what).isEqualTo(rest.get("coldStart").asBoolean());
      assertThat(grpc.getFallback()).as(what).isEqualTo(rest.get("fallback").asBoolean());
      JsonNode items = rest.get("items");
      assertThat(grpc.getItemsCount()).as(what).isEqualTo(items.size()).isPositive();
      for (int i = 0; i < items.size(); i++) {
        var g = grpc.getItems(i);
        JsonNode r = items.get(i);
        assertThat(g.getItemId()).as("%s item %d", what, i).isEqualTo(r.get("itemId").asLong());
        // The SIMD kernel may round the last bit differently across JIT tiers (as the service's
        // own repeat-request tests allow); anything beyond that would be a different computation.
        assertThat((double) g.getScore())
            .as("%s score %d", what, i)
            .isCloseTo(r.get("score").asDouble(), within(1e-5));
        assertThat(g.hasDominantInterest()).as(what).isEqualTo(r.has("dominantInterest"));
        if (g.hasDominantInterest()) {
          assertThat(g.getDominantInterest()).isEqualTo(r.get("dominantInterest").asInt());
        }
      }
    }
  }

  @Test
  void sameBadInputGivesTheSameErrorTypeOnBothApis() throws Exception {
    long[] tooMany = rows(1, 2);
    tooMany = Arrays.copyOf(tooMany, 20_001);
    List<Input> inputs =
        List.of(
            new Input("42", null, null, null, null, false),
            new Input("42", null, 0, null, null, false),
            new Input("42", null, 100_000, null, null, false),
            new Input(null, null, 10, null, null, false),
            new Input("42", tooMany, 10, null, null, false),
            new Input(null, null, 10, new long[1_001], null, false));

    for (Input input : inputs) {
      JsonNode rest = rest(input);
      StatusRuntimeException grpc =
          catchThrowableOfType(StatusRuntimeException.class, () -> grpc().rank(input.proto()));
      String what = input.json().length() > 120 ? input.json().substring(0, 120) : input.json();

      assertThat(rest.has("error")).as(what).isTrue();
      assertThat(grpc).as(what).isNotNull();
      String restType = rest.get("error").get("type").asString();
      assertThat(restType)
          .as(what)
          .isEqualTo("https://hcn.dev/problems/" + GrpcTestClient.errorType(grpc).orElseThrow());
    }
  }
}
