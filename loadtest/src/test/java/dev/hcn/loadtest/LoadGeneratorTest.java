package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadGeneratorTest {

  @TempDir Path tmp;

  record Run(int status, String out, String err) {}

  static Run load(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int status =
        LoadGenerator.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A bundle folder holding only item_ids.i64: padding row 0, then ids 1001 .. 1000 + n. */
  Path bundle(int n) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("bundle"));
    ByteBuffer b = ByteBuffer.allocate((n + 1) * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(-1);
    for (int i = 1; i <= n; i++) {
      b.putLong(1000 + i);
    }
    Files.write(dir.resolve("item_ids.i64"), b.array());
    return dir;
  }

  @Test
  void optionsHaveDefaultsPerApi() throws Exception {
    var grpc = LoadOptions.parse();
    assertThat(grpc.api()).isEqualTo("grpc");
    assertThat(grpc.target()).isEqualTo("localhost:9090");
    assertThat(grpc.users()).containsExactly("42");
    assertThat(grpc.candidates()).isZero();
    assertThat(grpc.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(grpc.name()).isEqualTo("grpc-100rps-catalogue");
    assertThat(grpc.poissonArrivals()).isFalse();
    assertThat(LoadOptions.parse("--arrivals", "poisson").poissonArrivals()).isTrue();
    assertThat(LoadOptions.parse("--arrivals", "poisson").describe()).endsWith("Poisson arrivals");

    var rest =
        LoadOptions.parse(
            "--api",
            "REST",
            "--rate",
            "250",
            "--user-range",
            "7-9",
            "--k",
            "50",
            "--json",
            "--duration",
            "2m",
            "--warmup",
            "0",
            "--candidates",
            "10000",
            "--bundle",
            "b");
    assertThat(rest.api()).isEqualTo("rest");
    assertThat(rest.target()).isEqualTo("http://localhost:8080");
    assertThat(rest.rate()).isEqualTo(250);
    assertThat(rest.users()).containsExactly("7", "8", "9");
    assertThat(rest.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(rest.warmup()).isZero();
    assertThat(rest.ramp()).isZero();
    assertThat(rest.candidates()).isEqualTo(10_000);
    assertThat(rest.name()).isEqualTo("rest-250rps-10000");
  }

  @Test
  void badOptionsAreRefused() {
    assertThatThrownBy(() -> LoadOptions.parse("--api", "soap")).hasMessageContaining("--api");
    assertThatThrownBy(() -> LoadOptions.parse("--rate", "0")).hasMessageContaining("--rate");
    assertThatThrownBy(() -> LoadOptions.parse("--arrivals", "bursty"))
        .hasMessageContaining("--arrivals");
    assertThatThrownBy(() -> LoadOptions.parse("--speed", "1"))
        .hasMessageContaining("unknown option");
    assertThatThrownBy(() -> LoadOptions.parse("--candidates", "10"))
        .hasMessageContaining("--bundle");
    assertThatThrownBy(() -> LoadOptions.parse("--users", "1", "--distinct-users"))
        .hasMessageContaining("only one of");
    assertThatThrownBy(() -> LoadOptions.parse("--find-max")).hasMessageContaining("--slo");
    assertThatThrownBy(() -> LoadOptions.parse("--max-rate", "9"))
        .hasMessageContaining("--find-max");
    assertThatThrownBy(() -> LoadOptions.parse("--user-range", "9-7"))
        .hasMessageContaining("FROM <= TO");
    assertThatThrownBy(() -> LoadOptions.parse("--name", "../x")).hasMessageContaining("--name");
    assertThatThrownBy(() -> LoadOptions.parse("--runs", "2", "--find-max", "--slo", "p99=1ms"))
        .hasMessageContaining("--runs does not go with --find-max");
    assertThatThrownBy(() -> LoadOptions.parse("--warmup", "5s", "--ramp", "6s"))
        .hasMessageContaining("--ramp must not be longer");
    assertThatThrownBy(() -> LoadOptions.parse("--warmup", "0", "--duration", "5s", "--ramp", "6s"))
        .hasMessageContaining("--ramp must not be longer");
  }

  @Test
  void badCommandLineIsExitStatusTwoAndHelpIsZero() {
    Run bad = load("--rate", "fast");
    assertThat(bad.status()).isEqualTo(LoadGenerator.BAD_USAGE);
    assertThat(bad.err()).startsWith("error: --rate must be a number").contains("usage: hcn-load");

    Run help = load("--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("--find-max").contains("--slo");

    // The same tool through hcn-cli.
    var out = new ByteArrayOutputStream();
    int status =
        HcnCli.run(new String[] {"load", "--help"}, new PrintStream(out, true), System.err);
    assertThat(status).isZero();
    assertThat(out.toString()).contains("usage: hcn-load");
  }

  @Test
  void candidateListsAreDrawnFromTheCatalogueWithoutPaddingRow() throws Exception {
    long[] catalogue = Workload.catalogue(bundle(50));
    assertThat(catalogue).hasSize(50).startsWith(1001).endsWith(1050);

    long[][] sets = Workload.draw(catalogue, 20, 3, 1);
    assertThat(sets).hasNumberOfRows(3);
    for (long[] set : sets) {
      Set<Long> distinct = new HashSet<>();
      for (long id : set) {
        distinct.add(id);
      }
      assertThat(distinct).hasSize(20).allMatch(id -> id > 1000 && id <= 1050);
    }
    assertThat(sets[0]).isNotEqualTo(sets[1]);
    assertThatThrownBy(() -> Workload.draw(catalogue, 51, 1, 1)).hasMessageContaining("more than");
    assertThatThrownBy(() -> Workload.catalogue(tmp.resolve("nowhere")))
        .hasMessageContaining("item_ids.i64 not found");
  }

  @Test
  void userMixes() {
    Workload fixed = new Workload(List.of("a", "b"), false, null);
    assertThat(List.of(fixed.user(0), fixed.user(1), fixed.user(2))).containsExactly("a", "b", "a");
    assertThat(fixed.setOf(5)).isEqualTo(-1);

    Workload distinct = new Workload(List.of("a"), true, null);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seen.add(distinct.user(0));
    }
    assertThat(seen).hasSize(1000).noneMatch(u -> u.equals("a"));
  }

  @Test
  void grpcRunWithCandidatesWritesEveryReportAndJudgesTheSlo() throws Exception {
    List<dev.hcn.api.grpc.v1.RankRequest> requests =
        Collections.synchronizedList(new ArrayList<>());
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new HcnCliTest.Scripted(requests::add))
            .build()
            .start();
    try {
      Path out = tmp.resolve("results");
      String[] common = {
        "--target",
        "localhost:" + server.getPort(),
        "--rate",
        "100",
        "--duration",
        "1s",
        "--warmup",
        "200ms",
        "--candidates",
        "20",
        "--bundle",
        bundle(50).toString(),
        "--candidate-sets",
        "4",
        "--users",
        "1,2",
        "--deadline-ms",
        "20000",
        "--quiet",
        "--out",
        out.toString(),
        "--name",
        "t"
      };
      Run met = load(concat(common, "--slo", "p50=10s"));

      assertThat(met.status()).as(met.err()).isEqualTo(LoadGenerator.OK);
      assertThat(met.out())
          .contains("sent 100  ok 100")
          .contains("intended ms")
          .contains("actual-send ms")
          .contains("SLO p50<=10000.000ms (intended): met");
      // 20 warm-up requests + 100 measured, each with 20 distinct catalogue ids and k=100.
      assertThat(requests).hasSize(120);
      assertThat(requests)
          .allSatisfy(
              r -> {
                assertThat(r.getCandidates().getIdsList())
                    .hasSize(20)
                    .doesNotHaveDuplicates()
                    .allMatch(id -> id > 1000 && id <= 1050);
                assertThat(r.getK()).isEqualTo(100);
                assertThat(r.getUserId()).isIn("1", "2");
              });

      String json = Files.readString(out.resolve("t.json"));
      assertThat(json)
          .contains("\"sent\":100")
          .contains("\"intendedMs\":{\"count\":100")
          .contains("\"actualMs\":{\"count\":100")
          .contains("\"sloMet\":true");
      assertThat(Files.readString(out.resolve("t.intended.hgrm")))
          .contains("Value     Percentile TotalCount 1/(1-Percentile)")
          .contains("Total count    =          100]");
      assertThat(out.resolve("t.actual.hgrm")).exists();
      BufferedImage png = ImageIO.read(out.resolve("t.png").toFile());
      assertThat(png.getWidth()).isEqualTo(PercentilePlot.WIDTH);

      // Nothing answers within a microsecond: exit status 1, and it says which objective.
      Run missed = load(concat(common, "--slo", "p99=1us", "--warmup", "0"));
      assertThat(missed.status()).isEqualTo(LoadGenerator.SLO_MISSED);
      assertThat(missed.out()).contains("SLO p99<=0.001ms (intended): MISSED");
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void grpcErrorsAreCountedByStatus() throws Exception {
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new HcnCliTest.Scripted())
            .build()
            .start();
    try {
      Run run =
          load(
              "--target",
              "localhost:" + server.getPort(),
              "--rate",
              "100",
              "--duration",
              "1s",
              "--warmup",
              "0",
              "--users",
              "1,bad",
              "--deadline-ms",
              "20000",
              "--quiet",
              "--json",
              "--slo",
              "p50=10s");
      // Half the requests fail: p50 can still be met, and the errors are named.
      assertThat(run.out())
          .contains("\"sent\":100")
          .contains("\"ok\":50")
          .contains("\"INVALID_ARGUMENT\":50");
      assertThat(run.status()).isEqualTo(LoadGenerator.OK);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void unreachableGrpcServerCannotRun() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run run = load("--target", "localhost:" + port, "--duration", "1s", "--quiet");
    assertThat(run.status()).isEqualTo(LoadGenerator.CANNOT_RUN);
    assertThat(run.err()).contains("UNAVAILABLE");
  }

  @Test
  void restRunPostsTheRankRequest() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    server.createContext(
        "/v1/rank",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    try {
      Run run =
          load(
              "--api",
              "rest",
              "--target",
              "http://localhost:" + server.getAddress().getPort() + "/",
              "--rate",
              "50",
              "--duration",
              "1s",
              "--warmup",
              "0",
              "--k",
              "7",
              "--deadline-ms",
              "20000",
              "--quiet",
              "--candidates",
              "3",
              "--bundle",
              bundle(5).toString(),
              "--candidate-sets",
              "1");

      assertThat(run.status()).as(run.err()).isZero();
      assertThat(run.out()).contains("sent 50  ok 50");
      assertThat(bodies)
          .hasSize(50)
          .allMatch(
              b ->
                  b.matches(
                      "\\{\"userId\":\"42\",\"k\":7,\"candidates\":\\[100[1-5],100[1-5],100[1-5]]}"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theRampGoesToTheFirstPhaseOnly() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    AtomicInteger posts = new AtomicInteger();
    server.createContext(
        "/v1/rank",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          posts.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    String target = "http://localhost:" + server.getAddress().getPort();
    try {
      // No warm-up: the measured run ramps, 100/s over a 1 s ramp of a 1 s run = 50 requests.
      Run ramped = restAt100PerSecond(target, "--warmup", "0", "--ramp", "1s");
      assertThat(ramped.status()).as(ramped.err()).isZero();
      assertThat(ramped.out()).contains("\"rampS\":1,\"sent\":50,\"ok\":50");
      assertThat(posts.get()).isEqualTo(50);

      // With a warm-up the warm-up ramps (50 requests) and the measured run does not (100).
      Run warmed = restAt100PerSecond(target, "--warmup", "1s", "--ramp", "1s");
      assertThat(warmed.status()).as(warmed.err()).isZero();
      assertThat(warmed.out()).contains("\"rampS\":0,\"sent\":100,\"ok\":100");
      assertThat(posts.get()).isEqualTo(50 + 50 + 100);

      // Runs back to back: each reported on its own line, only the first one ramped.
      Run rounds = restAt100PerSecond(target, "--warmup", "0", "--ramp", "1s", "--runs", "3");
      assertThat(rounds.status()).as(rounds.err()).isZero();
      assertThat(rounds.out().lines().toList())
          .hasSize(3)
          .satisfiesExactly(
              first -> assertThat(first).contains("-1\"").contains("\"rampS\":1,\"sent\":50,"),
              second -> assertThat(second).contains("-2\"").contains("\"rampS\":0,\"sent\":100,"),
              third -> assertThat(third).contains("-3\"").contains("\"rampS\":0,\"sent\":100,"));
      assertThat(posts.get()).isEqualTo(200 + 50 + 100 + 100);
    } finally {
      server.stop(0);
    }
  }

  /** One-second REST runs at 100/s against {@code target}, quiet, JSON lines out. */
  private static Run restAt100PerSecond(String target, String... options) {
    List<String> args = new ArrayList<>(List.of("--api", "rest", "--target", target));
    args.addAll(List.of("--rate", "100", "--duration", "1s", "--quiet", "--json"));
    args.addAll(List.of(options));
    return load(args.toArray(String[]::new));
  }

  /** A run at {@code rate} whose 100 answers all took {@code rate / 10} ms. */
  static Report.Run syntheticRun(LoadOptions o, double rate) {
    org.HdrHistogram.Histogram h = LatencyStats.histogram();
    h.recordValueWithCount(Math.round(rate / 10 * 1e6), 100);
    var result =
        new OpenLoop.Result(rate, 1_000_000_000L, 0, 100, 100, java.util.Map.of(), h, h, 0);
    return new Report.Run("r" + rate, "synthetic", result, o.slo().judge(h, 100), null);
  }

  @Test
  void findMaxStepsUpToTheFirstMissAndReportsTheRateBeforeIt() throws Exception {
    LoadOptions o =
        LoadOptions.parse(
            "--find-max", "--slo", "p99=35ms", "--rate", "100", "--rate-step", "100", "--json");
    List<Double> tried = new ArrayList<>();
    var out = new ByteArrayOutputStream();
    int status =
        LoadGenerator.findMax(
            o,
            rate -> {
              tried.add(rate);
              return syntheticRun(o, rate);
            },
            new PrintStream(out, true, StandardCharsets.UTF_8));

    // 100, 200, 300 /s take 10, 20, 30 ms: met; 400/s takes 40 ms: missed, and the search stops.
    assertThat(tried).containsExactly(100.0, 200.0, 300.0, 400.0);
    assertThat(status).isEqualTo(LoadGenerator.OK);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("{\"findMax\":300,\"firstMissed\":400}");

    LoadOptions none =
        LoadOptions.parse("--find-max", "--slo", "p99=5ms", "--rate", "100", "--json");
    var out2 = new ByteArrayOutputStream();
    int status2 =
        LoadGenerator.findMax(none, rate -> syntheticRun(none, rate), new PrintStream(out2, true));
    assertThat(status2).isEqualTo(LoadGenerator.SLO_MISSED);
    assertThat(out2.toString()).contains("{\"findMax\":null,\"firstMissed\":100}");
  }

  @Test
  void serverTimeComesFromTwoScrapes() {
    String before =
        """
        # HELP hcn_rank_requests_seconds Ranking requests
        hcn_rank_requests_seconds_count{api="grpc",outcome="ok"} 10
        hcn_rank_requests_seconds_sum{api="grpc",outcome="ok"} 0.05
        hcn_rank_requests_seconds_count{api="rest",outcome="ok"} 5
        hcn_rank_requests_seconds_sum{api="rest",outcome="ok"} 0.05
        hcn_rank_stage_seconds_sum{application="hcn-ranking",stage="tower"} 0.02
        hcn_rank_stage_seconds_bucket{stage="tower",le="0.001"} 3
        """;
    String after =
        """
        hcn_rank_requests_seconds_count{api="grpc",outcome="ok"} 20
        hcn_rank_requests_seconds_sum{api="grpc",outcome="ok"} 0.09
        hcn_rank_requests_seconds_count{api="rest",outcome="ok"} 5
        hcn_rank_requests_seconds_sum{api="rest",outcome="ok"} 0.05
        hcn_rank_stage_seconds_sum{application="hcn-ranking",stage="tower"} 0.03
        """;
    var d = ServerMetrics.delta(ServerMetrics.parse(before), ServerMetrics.parse(after));
    assertThat(d.requests()).isEqualTo(10);
    assertThat(d.meanNanos()).isCloseTo(4_000_000, org.assertj.core.data.Offset.offset(1.0));
    assertThat(d.stageMeanNanos().get("tower"))
        .isCloseTo(1_000_000, org.assertj.core.data.Offset.offset(1.0));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
