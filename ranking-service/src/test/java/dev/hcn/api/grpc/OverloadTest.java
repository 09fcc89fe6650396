package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hcn.ServiceTest;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.api.rest.HttpJson;
import dev.hcn.ranking.AdmissionControl;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RequestContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The real servers with every admission slot taken: REST answers 503 with {@code Retry-After} and
 * the overloaded problem type, gRPC RESOURCE_EXHAUSTED with the same slug, both are counted, the
 * probes on the management port still answer, and ranking resumes once the slots are free.
 */
@ServiceTest
class OverloadTest extends GrpcChannelTest {

  @LocalServerPort int port;
  @LocalManagementPort int managementPort;
  @Autowired AdmissionControl admission;
  @Autowired MeterRegistry meters;
  @Autowired CallQueue calls;
  @Autowired GrpcExecutorProperties executor;

  private final List<AdmissionControl.Permit> held = new ArrayList<>();

  /** Takes every slot, as that many long-running requests would. */
  private void saturate() {
    while (true) {
      try {
        held.add(admission.admit(RequestContext.unbounded("test"), 1));
      } catch (RankingException full) {
        assertThat(full.type()).isEqualTo(ErrorType.OVERLOADED);
        return;
      }
    }
  }

  @AfterEach
  void release() {
    held.forEach(AdmissionControl.Permit::close);
    held.clear();
  }

  private double count(String name, String... tags) {
    var found = meters.find(name).tags(tags);
    if (name.endsWith("shed")) {
      return found.counter() == null ? 0 : found.counter().count();
    }
    return found.timer() == null ? 0 : found.timer().count();
  }

  private HttpResponse<String> restRank() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(new HttpJson(port).uri("/v1/rank"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"42\", \"k\": 5}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private StatusRuntimeException grpcFailure() {
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () ->
            RankingGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .rank(RankRequest.newBuilder().setUserId("42").setK(5).build()));
  }

  private int grpcRankedItems() {
    return RankingGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .rank(RankRequest.newBuilder().setUserId("42").setK(5).build())
        .getItemsCount();
  }

  @Test
  void saturatedServersRefuseFastAndProbesStillAnswer() throws Exception {
    double restShed = count("hcn.rank.shed", "api", "rest", "reason", "concurrency");
    double grpcShed = count("hcn.rank.shed", "api", "grpc", "reason", "concurrency");
    double restOverloaded = count("hcn.rank.requests", "api", "rest", "outcome", "overloaded");
    saturate();
    assertThat(held).isNotEmpty();

    HttpResponse<String> rest = restRank();
    assertThat(rest.statusCode()).isEqualTo(503);
    assertThat(rest.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(rest.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    var problem = HttpJson.JSON.readTree(rest.body());
    assertThat(problem.get("type").asString()).isEqualTo("https://hcn.dev/problems/overloaded");
    assertThat(problem.get("status").asInt()).isEqualTo(503);

    StatusRuntimeException grpc = grpcFailure();
    assertThat(grpc).isNotNull();
    assertThat(grpc.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(GrpcTestClient.errorType(grpc)).hasValue("overloaded");

    var management = new HttpJson(managementPort);
    for (String probe : new String[] {"liveness", "readiness"}) {
      var answer = management.get("/actuator/health/" + probe);
      assertThat(answer.status()).as(probe).isEqualTo(200);
      assertThat(answer.body().get("status").asString()).as(probe).isEqualTo("UP");
    }

    assertThat(count("hcn.rank.shed", "api", "rest", "reason", "concurrency"))
        .isEqualTo(restShed + 1);
    assertThat(count("hcn.rank.shed", "api", "grpc", "reason", "concurrency"))
        .isEqualTo(grpcShed + 1);
    assertThat(count("hcn.rank.requests", "api", "rest", "outcome", "overloaded"))
        .isEqualTo(restOverloaded + 1);

    release();
    assertThat(restRank().statusCode()).isEqualTo(200);
    assertThat(grpcRankedItems()).isEqualTo(5);
  }

  @Test
  void aRankingCallToAFullQueueIsRefusedWithoutWaiting() throws Exception {
    double shed = count("hcn.rank.shed", "api", "grpc", "reason", "queue");
    var release = new CountDownLatch(1);
    Runnable blocked = Blocker.until(release);
    // Every thread taken, then as many ranking calls waiting as allowed.
    for (int i = 0; i < executor.effectiveThreads(); i++) {
      calls.pool().execute(blocked);
    }
    for (int i = 0; i < executor.effectiveMaxQueued(); i++) {
      calls.place().execute(blocked);
    }
    try {
      // Answered while every thread is still taken: the call did not wait for one.
      StatusRuntimeException refused = grpcFailure();
      assertThat(refused).isNotNull();
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(GrpcTestClient.errorType(refused)).hasValue("overloaded");
      assertThat(count("hcn.rank.shed", "api", "grpc", "reason", "queue")).isEqualTo(shed + 1);
      assertThat(calls.waiting()).isEqualTo(executor.effectiveMaxQueued());
    } finally {
      release.countDown();
    }
    // The placed calls leave the queue only once the freed threads have taken them: a call sent
    // before that would still find the queue full.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (calls.waiting() > 0 && System.nanoTime() < end) {
      Thread.sleep(1);
    }
    assertThat(calls.waiting()).as("the queue drained").isZero();
    assertThat(grpcRankedItems()).isEqualTo(5);
  }

  @Test
  void requestsRefusedBeforeTheServiceAreCounted() throws Exception {
    var http = new HttpJson(port);
    double malformed = count("hcn.rank.requests", "api", "rest", "outcome", "malformed-body");
    double invalid = count("hcn.rank.requests", "api", "rest", "outcome", "invalid-request");
    assertThat(http.postJson("/v1/rank", "{\"userId\": ").status()).isEqualTo(400);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(http.uri("/v1/rank"))
                        .header("Content-Type", "application/json")
                        .header("X-Request-Timeout-Ms", "soon")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"42\"}")))
                .status())
        .isEqualTo(400);
    assertThat(count("hcn.rank.requests", "api", "rest", "outcome", "malformed-body"))
        .isEqualTo(malformed + 1);
    assertThat(count("hcn.rank.requests", "api", "rest", "outcome", "invalid-request"))
        .isEqualTo(invalid + 1);
  }
}
