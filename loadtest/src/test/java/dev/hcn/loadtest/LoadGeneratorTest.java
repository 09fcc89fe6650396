package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

  @Test
  void optionsHaveDefaultsPerApi() {
    var grpc = LoadGenerator.Options.parse();
    assertThat(grpc.api()).isEqualTo("grpc");
    assertThat(grpc.target()).isEqualTo("localhost:9090");
    assertThat(grpc.users()).containsExactly("42");

    var rest =
        LoadGenerator.Options.parse(
            "--api", "rest", "--rate", "250", "--users", "1, 2,3", "--k", "50", "--json");
    assertThat(rest.target()).isEqualTo("http://localhost:8080");
    assertThat(rest.rate()).isEqualTo(250);
    assertThat(rest.users()).containsExactly("1", "2", "3");
    assertThat(rest.k()).isEqualTo(50);
    assertThat(rest.json()).isTrue();
  }

  @Test
  void badOptionsAreRefused() {
    assertThatThrownBy(() -> LoadGenerator.Options.parse("--api", "soap"))
        .hasMessageContaining("--api");
    assertThatThrownBy(() -> LoadGenerator.Options.parse("--rate", "0"))
        .hasMessageContaining("--rate");
    assertThatThrownBy(() -> LoadGenerator.Options.parse("--speed", "1"))
        .hasMessageContaining("unknown option");
  }

  @Test
  void percentilesAreNearestRank() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(LatencyRecorder.percentile(sorted, 50)).isEqualTo(50);
    assertThat(LatencyRecorder.percentile(sorted, 99)).isEqualTo(99);
    assertThat(LatencyRecorder.percentile(sorted, 99.9)).isEqualTo(100);
    assertThat(LatencyRecorder.percentile(new long[] {7}, 99)).isEqualTo(7);
    assertThat(LatencyRecorder.percentile(new long[0], 50)).isZero();
  }

  @Test
  void grpcRunSendsOnScheduleAndRecordsEveryAnswer() throws Exception {
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new HcnCliTest.Scripted())
            .build()
            .start();
    try {
      var options =
          LoadGenerator.Options.parse(
              "--target",
              "localhost:" + server.getPort(),
              "--rate",
              "100",
              "--users",
              "1,bad",
              // A cold JVM's first calls are slow; this test is about counting, not speed.
              "--deadline-ms",
              "20000");
      LatencyRecorder.Summary summary;
      try (var sender = LoadGenerator.grpc(options)) {
        summary = LoadGenerator.run(sender, options, 1);
      }

      assertThat(summary.sent()).isEqualTo(100);
      assertThat(summary.ok()).isEqualTo(50);
      assertThat(summary.errors()).containsEntry("INVALID_ARGUMENT", 50L);
      assertThat(summary.p50()).isPositive().isLessThanOrEqualTo(summary.p99());
      assertThat(summary.p99()).isLessThanOrEqualTo(summary.max());
      assertThat(summary.json("t")).contains("\"sent\":100").contains("\"INVALID_ARGUMENT\":50");
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void restRunPostsTheRankRequest() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    List<String> bodies = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    server.createContext(
        "/v1/rank",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    try {
      var options =
          LoadGenerator.Options.parse(
              "--api",
              "rest",
              "--target",
              "http://localhost:" + server.getAddress().getPort() + "/",
              "--rate",
              "50",
              "--k",
              "7",
              "--deadline-ms",
              "20000");
      LatencyRecorder.Summary summary;
      try (var sender = LoadGenerator.rest(options)) {
        summary = LoadGenerator.run(sender, options, 1);
      }

      assertThat(summary.sent()).isEqualTo(50);
      assertThat(summary.ok()).isEqualTo(50);
      assertThat(summary.errors()).isEmpty();
      assertThat(bodies).hasSize(50).allMatch(b -> b.equals("{\"userId\":\"42\",\"k\":7}"));
    } finally {
      server.stop(0);
    }
  }
}
