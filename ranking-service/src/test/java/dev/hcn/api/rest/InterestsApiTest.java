package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hcn.ServiceTest;
import dev.hcn.history.EmbeddedHistorySource;
import dev.hcn.history.UserHistory;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TestBundles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The interests view and the explain weights over real HTTP against the running service. */
@ServiceTest
class InterestsApiTest {

  @LocalServerPort int port;
  @Autowired ModelRegistry registry;

  private HttpJson http;
  private ModelBundle bundle;
  private UserHistory demo;

  @BeforeEach
  void setUp() {
    http = new HttpJson(port);
    bundle = registry.current().orElseThrow();
    demo = EmbeddedHistorySource.read(TestBundles.path().resolve("demo_histories.json")).find("42");
  }

  @Test
  void demoUserInterestsHaveFourClosestItemsByInnerProductWithTitles() {
    var a = http.get("/v1/users/42/interests");
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    JsonNode body = a.body();
    int n = bundle.interests();
    assertThat(body.get("model").get("name").asString()).isEqualTo(bundle.name());
    assertThat(body.get("model").get("version").asString()).isEqualTo(bundle.version());
    assertThat(body.get("interests")).hasSize(n);
    assertThat(body.get("coldStart").asBoolean()).isFalse();
    assertThat(body.has("projection")).isFalse();

    float[] u = bundle.tower().interests(bundle.encoder().encode(demo.items(), demo.features()));
    int dim = bundle.dim();
    for (int k = 0; k < n; k++) {
      JsonNode interest = body.get("interests").get(k);
      assertThat(interest.get("index").asInt()).isEqualTo(k);
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        norm += u[k * dim + d] * u[k * dim + d];
      }
      assertThat(interest.get("norm").asDouble()).isCloseTo(Math.sqrt(norm), within(1e-4));
      // The four catalogue rows with the largest <u_k, x>, computed here independently.
      List<Long> expected = closest(u, k, 4);
      List<Long> got = new ArrayList<>();
      for (JsonNode item : interest.get("closestItems")) {
        got.add(item.get("itemId").asLong());
        assertThat(item.get("title").asString())
            .isEqualTo(bundle.itemMetadata().title(item.get("itemId").asLong()));
      }
      assertThat(got).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void cosineMatrixIsSymmetricWithUnitDiagonal() {
    JsonNode cos = http.get("/v1/users/42/interests?m=1").body().get("cosine");
    int n = bundle.interests();
    assertThat(cos).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(cos.get(i)).hasSize(n);
      assertThat(cos.get(i).get(i).asDouble()).isCloseTo(1.0, within(1e-5));
      for (int j = 0; j < n; j++) {
        assertThat(cos.get(i).get(j).asDouble())
            .isEqualTo(cos.get(j).get(i).asDouble())
            .isBetween(-1.0, 1.0);
      }
    }
  }

  @Test
  void historyComesWithTitlesAndTheWindowEachEventReached() {
    JsonNode history = http.get("/v1/users/42/interests").body().get("history");
    assertThat(history).hasSize(demo.items().length);
    int shortLength = bundle.shortLength();
    int longLength = bundle.longLength();
    int last = demo.items().length - 1;
    for (int i = 0; i <= last; i++) {
      JsonNode event = history.get(i);
      assertThat(event.get("itemId").asLong()).isEqualTo(demo.items()[i]);
      assertThat(event.get("title").asString())
          .isEqualTo(bundle.itemMetadata().title(demo.items()[i]));
      // Every demo item is in the catalogue, so windows follow positions from the end.
      int fromEnd = last - i;
      String window =
          fromEnd < shortLength ? "short" : fromEnd < shortLength + longLength ? "long" : "outside";
      assertThat(event.get("window").asString()).isEqualTo(window);
    }
  }

  @Test
  void inlineHistoryGivesTheSameInterestsAsTheStoredOne() {
    String inline =
        "{\"history\": "
            + Arrays.toString(demo.items())
            + ", \"userFeatures\": "
            + HttpJson.JSON.writeValueAsString(demo.features())
            + ", \"m\": 6}";
    var posted = http.postJson("/v1/interests", inline);
    assertThat(posted.status()).as(posted.raw()).isEqualTo(200);
    var stored = http.get("/v1/users/42/interests?m=6");
    assertThat(posted.body().get("interests")).isEqualTo(stored.body().get("interests"));
    assertThat(posted.body().get("cosine")).isEqualTo(stored.body().get("cosine"));
    assertThat(posted.body().get("interests").get(0).get("closestItems")).hasSize(6);
  }

  @Test
  void unknownItemsInAnInlineHistoryAreMarkedAndColdStartIsReported() {
    var a = http.postJson("/v1/interests", "{\"history\": [-5, -6]}");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().get("coldStart").asBoolean()).isTrue();
    for (JsonNode event : a.body().get("history")) {
      assertThat(event.get("window").asString()).isEqualTo("unknown");
      assertThat(event.has("title")).isFalse();
    }
  }

  @Test
  void projectionPlacesEveryInterestAndTheSampleDeterministically() {
    var a = http.get("/v1/users/42/interests?projection=200");
    JsonNode p = a.body().get("projection");
    int n = bundle.interests();
    assertThat(p.get("interests")).hasSize(n);
    // 200 sampled items, then the 4 closest items of each interest.
    assertThat(p.get("items")).hasSize(200 + 4 * n);
    assertThat(p.get("items").get(200).get("closestTo").asInt()).isZero();
    assertThat(p.get("explainedVariance").get(0).asDouble())
        .isGreaterThanOrEqualTo(p.get("explainedVariance").get(1).asDouble());
    assertThat(http.get("/v1/users/42/interests?projection=200").body().get("projection"))
        .isEqualTo(p);
  }

  @Test
  void explainGivesTheSoftmaxWeightsOverTheInterestsAndTitles() {
    var a = http.postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 20, \"explain\": true}");
    assertThat(a.status()).isEqualTo(200);
    int n = bundle.interests();
    for (JsonNode item : a.body().get("items")) {
      JsonNode w = item.get("interestWeights");
      assertThat(w).hasSize(n);
      double sum = 0;
      int argMax = 0;
      for (int k = 0; k < n; k++) {
        sum += w.get(k).asDouble();
        if (w.get(k).asDouble() > w.get(argMax).asDouble()) {
          argMax = k;
        }
      }
      assertThat(sum).isCloseTo(1.0, within(1e-5));
      assertThat(w.get(item.get("dominantInterest").asInt()).asDouble())
          .isEqualTo(w.get(argMax).asDouble());
      assertThat(item.get("title").asString())
          .isEqualTo(bundle.itemMetadata().title(item.get("itemId").asLong()));
    }
    var plain = http.postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 3}");
    assertThat(plain.body().get("items").get(0).has("interestWeights")).isFalse();
    assertThat(plain.body().get("items").get(0).has("title")).isFalse();
  }

  @Test
  void demoUsersListTheBundlesUsersStartingWith42() {
    var a = http.get("/v1/demo-users");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().get("users")).hasSize(300);
    assertThat(a.body().get("users").get(0).asString()).isEqualTo("42");
  }

  @Test
  void limitsAndErrorsAreTheRankApis() {
    assertProblem(http.get("/v1/users/42/interests?m=0"), 400, "invalid-request", "m");
    assertProblem(http.get("/v1/users/42/interests?m=101"), 400, "invalid-request", "m");
    assertProblem(
        http.get("/v1/users/42/interests?projection=-1"), 400, "invalid-request", "projection");
    assertProblem(http.get("/v1/users/42/interests?m=abc"), 400, "invalid-request", "m");
    assertProblem(http.postJson("/v1/interests", "{}"), 400, "invalid-request", "userId");
    assertProblem(http.postJson("/v1/interests", "{\"userId\""), 400, "malformed-body", "body");
    String longHistory = IntStream.range(0, 1001).mapToObj(i -> "1").toList().toString();
    assertProblem(
        http.postJson("/v1/interests", "{\"history\": " + longHistory + "}"),
        400,
        "history-too-long",
        "history");
    assertProblem(
        http.get("/v1/users/" + "x".repeat(300) + "/interests"), 400, "invalid-request", "userId");
    assertProblem(
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + port + "/v1/users/42/interests"))
                .header(RankController.TIMEOUT_HEADER, "soon")),
        400,
        "invalid-request",
        RankController.TIMEOUT_HEADER);
  }

  private List<Long> closest(float[] u, int k, int m) {
    int dim = bundle.dim();
    int rows = bundle.items().rows();
    double[] s = new double[rows];
    for (int row = 1; row < rows; row++) {
      float[] x = bundle.items().row(row);
      for (int d = 0; d < dim; d++) {
        s[row] += (double) u[k * dim + d] * x[d];
      }
    }
    return IntStream.range(1, rows)
        .boxed()
        .sorted(Comparator.<Integer>comparingDouble(r -> -s[r]))
        .limit(m)
        .map(r -> bundle.items().id(r))
        .toList();
  }

  private static void assertProblem(HttpJson.Answer a, int status, String type, String field) {
    assertThat(a.status()).as(a.raw()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.body().get("type").asString()).isEqualTo("https://hcn.dev/problems/" + type);
    if (field != null) {
      assertThat(a.body().get("field").asString()).isEqualTo(field);
    }
  }
}
