package dev.hcn.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.PinnedCarriers;
import dev.hcn.ServiceTest;
import dev.hcn.model.ModelRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/** Probes, the model health indicator and the Prometheus scrape, all on the management port. */
@ServiceTest
class ActuatorTest {

  @LocalServerPort int port;
  @LocalManagementPort int managementPort;
  @Autowired ModelRegistry registry;
  @Autowired ApplicationContext context;
  private HttpJson http;
  private HttpJson management;

  @BeforeEach
  void setUp() {
    http = new HttpJson(port);
    management = new HttpJson(managementPort);
  }

  @Test
  void actuatorLivesOnTheManagementPortOnly() {
    assertThat(managementPort).isNotEqualTo(port);
    assertThat(management.get("/actuator/health/liveness").status()).isEqualTo(200);
    var onApiPort = http.get("/actuator/health/liveness");
    assertThat(onApiPort.status()).isEqualTo(404);
    assertThat(onApiPort.contentType()).startsWith("application/problem+json");
    assertThat(http.get("/actuator/prometheus").status()).isEqualTo(404);
  }

  @Test
  void readinessIncludesTheModelAndIsUpOnceItServes() {
    var a = management.get("/actuator/health/readiness");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().get("status").asString()).isEqualTo("UP");
    assertThat(a.body().get("components").get("rankingModel").get("status").asString())
        .isEqualTo("UP");
    assertThat(a.body().get("components").get("readinessState").get("status").asString())
        .isEqualTo("UP");
  }

  /**
   * Ranking is CPU-bound and holds a virtual thread's carrier until it ends, so with every carrier
   * taken a probe on a virtual thread would wait for the ranking work; the management port's own
   * platform threads answer beside it.
   */
  @Test
  void livenessAnswersWhileRankingWorkHoldsEveryCarrier() throws Exception {
    try (var pinned = PinnedCarriers.pinAll()) {
      var answer = management.get("/actuator/health/liveness");
      assertThat(pinned.holding()).as("spinners still holding the carriers").isTrue();
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.body().get("status").asString()).isEqualTo("UP");
    }
  }

  @Test
  void withTheEmbeddedHistorySourceNoRedisClientExists() {
    assertThat(context.getBeanNamesForType(RedisConnectionFactory.class)).isEmpty();
    var health = management.get("/actuator/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.raw()).doesNotContain("\"redis\"");
  }

  @Test
  void livenessIsUp() {
    var a = management.get("/actuator/health/liveness");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().get("status").asString()).isEqualTo("UP");
  }

  @Test
  void prometheusScrapeHasTheRankingMetrics() {
    assertThat(http.postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 3}").status()).isEqualTo(200);
    assertThat(http.postJson("/v1/rank", "{\"userId\": \"42\", \"k\": 0}").status()).isEqualTo(400);
    var a = management.get("/actuator/prometheus");
    assertThat(a.status()).isEqualTo(200);
    String text = a.raw();
    var info = registry.current().orElseThrow();
    assertThat(text)
        .contains(
            "hcn_rank_requests_seconds_count{api=\"rest\",application=\"hcn-ranking\",outcome=\"ok\"}")
        .contains("outcome=\"k-out-of-range\"")
        .contains("hcn_rank_requests_seconds_bucket{")
        .contains("hcn_rank_stage_seconds_count{application=\"hcn-ranking\",stage=\"history\"}")
        .contains("stage=\"tower\"")
        .contains("stage=\"candidates\"")
        .contains("stage=\"score_topk\"")
        .contains("stage=\"response\"")
        .contains("hcn_rank_candidates_count")
        .contains("hcn_rank_fallbacks_total{application=\"hcn-ranking\",reason=\"history-error\"}")
        .contains(
            "hcn_model_info{application=\"hcn-ranking\",name=\""
                + info.name()
                + "\",version=\""
                + info.version()
                + "\"} 1")
        .contains(
            "cache_gets_total{application=\"hcn-ranking\",cache=\"interests\",result=\"hit\"}");
  }
}
