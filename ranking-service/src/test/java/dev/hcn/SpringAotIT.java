package dev.hcn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar with the deployed JVM options ({@code deploy/jvm.options}, Spring AOT on): the
 * AOT context serves the build's configuration (REST, gRPC, the API description, metrics, a model
 * swap), with or without an admin token, and a start whose configuration would choose other beans
 * gets them, through the ordinary start.
 */
class SpringAotIT {

  private static final Duration READY = Duration.ofSeconds(120);

  private static PackagedService ready(String log, String... arguments) throws Exception {
    PackagedService service =
        PackagedService.start(log, List.of(PackagedService.DEPLOYED_JVM_OPTIONS), arguments);
    try {
      service.awaitReady(READY);
      return service;
    } catch (AssertionError e) {
      service.close();
      throw e;
    }
  }

  @Test
  void theBuildsConfigurationStartsFromTheAotContextAndServes() throws Exception {
    try (PackagedService service = ready("spring-aot-it.log", "--hcn.admin.token=it-admin-token")) {
      assertThat(service.logText()).contains("Starting AOT-processed RankingApplication");
      assertThat(service.logText()).doesNotContain("Starting without the Spring AOT context");
      HttpResponse<String> ranked =
          PackagedService.HTTP.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + service.http + "/v1/rank"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"42\", \"k\": 5}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ranked.statusCode()).isEqualTo(200);
      assertThat(ranked.body()).contains("\"items\"");
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("localhost", service.grpc).usePlaintext().build();
      try {
        RankResponse answer =
            RankingGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .rank(RankRequest.newBuilder().setUserId("42").setK(5).build());
        assertThat(answer.getItemsCount()).isEqualTo(5);
      } finally {
        channel.shutdownNow();
      }
      assertThat(service.get(service.http, "/v3/api-docs").body()).contains("/v1/rank");
      assertThat(service.get(service.management, "/actuator/prometheus").body())
          .contains("hcn_rank_requests_seconds_count");
      // The admin API is decided per request, not by a condition the build fixed.
      assertThat(
              service
                  .get(service.management, "/admin/model", "Authorization", "Bearer it-admin-token")
                  .statusCode())
          .isEqualTo(200);
      assertThat(service.get(service.management, "/admin/model").statusCode()).isEqualTo(401);
      // A swap loads, checks and warms a bundle through beans the AOT context created.
      String bundle = Path.of("../model-artifacts/bundles/hcn-ml1m").toAbsolutePath().toString();
      HttpResponse<String> swapped =
          PackagedService.HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + service.management + "/admin/model"))
                  .header("Authorization", "Bearer it-admin-token")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"bundlePath\": \"" + bundle + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(swapped.statusCode()).as(swapped.body()).isEqualTo(200);
    }
  }

  @Test
  void anotherHistorySourceStartsTheOrdinaryWayAndGetsIt() throws Exception {
    // Nothing listens on port 1: readiness does not depend on the store.
    try (PackagedService service =
        ready(
            "spring-aot-redis-it.log",
            "--hcn.history.source=redis",
            "--spring.data.redis.port=1")) {
      String log = service.logText();
      assertThat(log)
          .contains(
              "Starting without the Spring AOT context (a slower start): hcn.history.source is"
                  + " 'redis'")
          .doesNotContain("AOT-processed");
      // The embedded source is always UP; DOWN is the Redis source failing to reach its store.
      assertThat(service.get(service.management, "/actuator/health").body())
          .contains("\"historyStore\":{\"status\":\"DOWN\"}");
    }
  }
}
