package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hcn.ServiceTest;
import dev.hcn.history.EmbeddedHistorySource;
import dev.hcn.history.UserHistory;
import dev.hcn.model.BundleManifest;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TestBundles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/rank} and {@code GET /v1/model} over real HTTP against the running service. */
@ServiceTest
class RankApiTest {

  @LocalServerPort int port;
  @Autowired ModelRegistry registry;

  private HttpJson http;
  private BundleManifest manifest;

  @BeforeEach
  void setUp() {
    http = new HttpJson(port);
    manifest = registry.current().orElseThrow().manifest();
  }

  private long id(int row) {
    return registry.current().orElseThrow().items().id(row);
  }

  private int catalogue() {
    return registry.current().orElseThrow().items().rows() - 1;
  }

  @Test
  void ranksTheWholeCatalogueForTheDemoUser() {
    var a = http.postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 10}");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).startsWith("application/json");
    JsonNode body = a.body();
    assertThat(body.get("model").get("name").asString()).isEqualTo(manifest.name());
    assertThat(body.get("model").get("version").asString()).isEqualTo(manifest.version());
    assertThat(body.get("items")).hasSize(10);
    assertThat(body.get("candidatesScored").asInt()).isEqualTo(catalogue());
    assertThat(body.get("candidatesUnknown").asInt()).isZero();
    assertThat(body.get("coldStart").asBoolean()).isFalse();
    assertThat(body.get("fallback").asBoolean()).isFalse();
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode item : body.get("items")) {
      assertThat(item.get("score").asDouble()).isLessThanOrEqualTo(previous);
      assertThat(item.has("dominantInterest")).isFalse();
      previous = item.get("score").asDouble();
    }
  }

  @Test
  void reportsTheServingModel() {
    var a = http.get("/v1/model");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().get("name").asString()).isEqualTo(manifest.name());
    assertThat(a.body().get("version").asString()).isEqualTo(manifest.version());
    assertThat(a.body().get("interests").asInt()).isEqualTo(manifest.model().n());
    assertThat(a.body().get("dim").asInt()).isEqualTo(manifest.model().dim());
    assertThat(a.body().get("items").asInt()).isEqualTo(catalogue());
    assertThat(a.body().get("userFeatures")).hasSize(manifest.userFeatures().size());
  }

  @Test
  void inlineHistoryAndFeaturesOverrideTheStore() {
    UserHistory demo =
        EmbeddedHistorySource.read(TestBundles.path().resolve("demo_histories.json")).find("42");
    String candidates = ids(1, 60);
    var fromStore =
        http.postJson(
            "/v1/rank", "{\"userId\": \"42\", \"k\": 20, \"candidates\": " + candidates + "}");
    String inline =
        "{\"k\": 20, \"candidates\": "
            + candidates
            + ", \"history\": "
            + Arrays.toString(demo.items())
            + ", \"userFeatures\": "
            + HttpJson.JSON.writeValueAsString(demo.features())
            + "}";
    var fromInline = http.postJson("/v1/rank", inline);
    assertThat(fromInline.status()).isEqualTo(200);
    assertSameItems(fromInline.body().get("items"), fromStore.body().get("items"));

    // The same user with an inline empty history is ranked as a cold start.
    var overridden =
        http.postJson(
            "/v1/rank",
            "{\"userId\": \"42\", \"k\": 20, \"history\": [], \"candidates\": " + candidates + "}");
    assertThat(overridden.body().get("coldStart").asBoolean()).isTrue();
    assertThat(overridden.body().get("items")).isNotEqualTo(fromStore.body().get("items"));
  }

  @Test
  void unknownUserIsAColdStart() {
    var a = http.postJson("/v1/rank", "{\"userId\": \"no-such-user\", \"k\": 5}");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().get("coldStart").asBoolean()).isTrue();
    assertThat(a.body().get("fallback").asBoolean()).isFalse();
    assertThat(a.body().get("items")).hasSize(5);
  }

  @Test
  void unknownCandidatesAreCountedAndDuplicatesScoredOnce() {
    long a = id(1);
    long b = id(2);
    var answer =
        http.postJson(
            "/v1/rank",
            "{\"userId\": \"42\", \"k\": 10, \"candidates\": [%d, %d, %d, -123456789, %d]}"
                .formatted(a, b, a, a));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().get("candidatesScored").asInt()).isEqualTo(2);
    assertThat(answer.body().get("candidatesUnknown").asInt()).isEqualTo(1);
    List<Long> ranked = new ArrayList<>();
    answer.body().get("items").forEach(i -> ranked.add(i.get("itemId").asLong()));
    assertThat(ranked).containsExactlyInAnyOrder(a, b);
  }

  @Test
  void emptyCandidateListRanksNothing() {
    var a = http.postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 10, \"candidates\": []}");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().get("items")).isEmpty();
    assertThat(a.body().get("candidatesScored").asInt()).isZero();
  }

  @Test
  void explainAddsTheDominantInterest() {
    var a =
        http.postJson(
            "/v1/rank",
            "{\"userId\": \"42\", \"k\": 5, \"explain\": true, \"candidates\": "
                + ids(1, 30)
                + "}");
    assertThat(a.body().get("items")).hasSize(5);
    for (JsonNode item : a.body().get("items")) {
      assertThat(item.get("dominantInterest").asInt()).isBetween(0, manifest.model().n() - 1);
    }
  }

  @Test
  void timeoutHeaderIsHonouredAndValidated() {
    assertThat(withTimeout("10000").status()).isEqualTo(200);
    var bad = withTimeout("soon");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.contentType()).startsWith("application/problem+json");
    assertThat(bad.body().get("type").asString())
        .isEqualTo("https://hcn.dev/problems/invalid-request");
    assertThat(bad.body().get("field").asString()).isEqualTo("X-Request-Timeout-Ms");
    assertThat(withTimeout("0").status()).isEqualTo(400);
  }

  private HttpJson.Answer withTimeout(String timeoutMs) {
    return http.send(
        java.net.http.HttpRequest.newBuilder(http.uri("/v1/rank"))
            .header("Content-Type", "application/json")
            .header("X-Request-Timeout-Ms", timeoutMs)
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofString("{\"userId\":\"42\",\"k\":3}")));
  }

  @Test
  void parallelRequestsGiveTheSameAnswersAsSequentialOnes() throws Exception {
    Map<String, JsonNode> answers = new LinkedHashMap<>();
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      bodies.add(
          i % 3 == 0
              ? "{\"userId\": \"42\", \"k\": 25}"
              : "{\"k\": 15, \"history\": "
                  + ids(1 + i * 7, 20 + i * 9)
                  + ", \"candidates\": "
                  + ids(i + 1, 200 + i)
                  + "}");
    }
    for (String body : bodies) {
      var a = http.postJson("/v1/rank", body);
      assertThat(a.status()).isEqualTo(200);
      answers.put(body, a.body().get("items"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<HttpJson.Answer>> results = new ArrayList<>();
      List<String> sent = new ArrayList<>();
      for (int round = 0; round < 8; round++) {
        for (String body : bodies) {
          sent.add(body);
          results.add(pool.submit(() -> http.postJson("/v1/rank", body)));
        }
      }
      for (int i = 0; i < results.size(); i++) {
        var a = results.get(i).get();
        assertThat(a.status()).isEqualTo(200);
        assertSameItems(a.body().get("items"), answers.get(sent.get(i)));
      }
    } finally {
      pool.shutdown();
    }
  }

  /** Same ids in the same order; scores equal up to float rounding of the last bit. */
  static void assertSameItems(JsonNode actual, JsonNode expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).get("itemId").asLong())
          .isEqualTo(expected.get(i).get("itemId").asLong());
      assertThat(actual.get(i).get("score").asDouble())
          .isCloseTo(expected.get(i).get("score").asDouble(), within(1e-5));
    }
  }

  /** External ids of rows {@code from..to} as a JSON array. */
  private String ids(int from, int to) {
    int last = Math.min(to, catalogue());
    return LongStream.rangeClosed(from, last)
        .mapToObj(r -> Long.toString(id((int) r)))
        .collect(Collectors.joining(",", "[", "]"));
  }
}
