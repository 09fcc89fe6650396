package dev.hcn.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.AdminServiceTest;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.api.grpc.v1.UserFeatures;
import dev.hcn.api.rest.HttpJson;
import dev.hcn.model.BundleFixtures;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TestBundles;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Ten swaps through the admin API (seven valid, among them two rollbacks, and three corrupt
 * bundles) while REST and gRPC clients rank without pause. Every answer must be exactly what one of
 * the two bundles gives for that query on its own (so no request mixed two bundles), no request may
 * fail, every retired bundle must be released, and the process RSS must end within 10% of where it
 * started.
 */
@AdminServiceTest
class HotSwapUnderLoadTest {

  @LocalServerPort int port;
  @LocalManagementPort int managementPort;
  @Autowired GrpcServerLifecycle grpcServer;
  @Autowired ModelRegistry registry;
  @TempDir Path tmp;

  /** Queries whose ids exist partly in one bundle, partly in the other, partly in both. */
  private static final List<long[]> HISTORIES =
      List.of(
          new long[] {1, 2, 3, 50, 260, 480, 1196, 2571},
          new long[] {},
          LongStream.range(1, 120).map(i -> i * 13).toArray(),
          new long[] {2858, 593, 1210, 7, 11, 19, 1499, 1580});

  private static final long[] CANDIDATES =
      LongStream.range(1, 4000).filter(i -> i % 3 != 0).toArray();

  private final AtomicBoolean stop = new AtomicBoolean();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLong answered = new AtomicLong();
  private final Set<String> versionsSeen = ConcurrentHashMap.newKeySet();

  /** What each version answers to each query, measured before the load, "version|query". */
  private final Map<String, String> expected = new ConcurrentHashMap<>();

  @Test
  void tenSwapsUnderRestAndGrpcLoadFailNoRequestAndMixNoBundles() throws Exception {
    AdminClient admin = new AdminClient(managementPort);
    HttpJson rest = new HttpJson(port);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
    var grpc = RankingGrpc.newBlockingStub(channel);
    try {
      // Each bundle's own answers, with nothing else running.
      String first = record(rest);
      assertThat(admin.swap(BundleFixtures.SECOND).status()).isEqualTo(200);
      String second = record(rest);
      assertThat(second).isNotEqualTo(first);
      assertThat(admin.swap(TestBundles.path()).status()).isEqualTo(200);

      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        clients.add(client("rest-" + t, q -> restAnswer(rest, q)));
        clients.add(client("grpc-" + t, q -> grpcAnswer(grpc, q)));
      }
      clients.forEach(Thread::start);
      awaitAnswers(200);
      // One swap and back first, so that the code paths of a swap are loaded and compiled and the
      // heap has grown to its working size before the baseline is taken.
      assertThat(admin.swap(BundleFixtures.SECOND).status()).isEqualTo(200);
      awaitAnswers(100);
      assertThat(admin.swap(TestBundles.path()).status()).isEqualTo(200);
      awaitAnswers(100);
      long rssBefore = settledRss();
      List<ModelBundle> served = new ArrayList<>(List.of(registry.current().orElseThrow()));

      Path broken = Files.createDirectories(tmp.resolve("broken"));
      List<Step> steps =
          List.of(
              Step.swap(BundleFixtures.SECOND, 200, null),
              Step.swap(TestBundles.path(), 200, null),
              Step.swap(BundleFixtures.badChecksum(broken), 422, "checksum"),
              Step.swap(BundleFixtures.SECOND, 200, null),
              Step.rollback(),
              Step.swap(BundleFixtures.wrongSignature(broken), 422, "onnx-signature"),
              Step.swap(BundleFixtures.SECOND, 200, null),
              Step.swap(BundleFixtures.failsGolden(broken), 422, "golden"),
              Step.swap(TestBundles.path(), 200, null),
              Step.rollback());
      long answeredDuringSwaps = 0;
      for (Step step : steps) {
        String servingBefore = registry.current().orElseThrow().version();
        long answeredBefore = answered.get();
        HttpJson.Answer answer = step.bundle == null ? admin.rollback() : admin.swap(step.bundle);
        if (step.check == null) {
          answeredDuringSwaps += answered.get() - answeredBefore;
        }
        assertThat(answer.status()).as("%s: %s", step, answer.raw()).isEqualTo(step.status);
        if (step.check != null) {
          assertThat(answer.body().get("check").asString()).isEqualTo(step.check);
          assertThat(registry.current().orElseThrow().version()).isEqualTo(servingBefore);
        } else {
          served.add(registry.current().orElseThrow());
        }
        awaitAnswers(100);
      }
      stop.set(true);
      for (Thread client : clients) {
        client.join(TimeUnit.SECONDS.toMillis(30));
      }
      long rssAfter = settledRss();

      assertThat(failures).isEmpty();
      // The load ran through the swaps, not only between them.
      assertThat(answeredDuringSwaps)
          .as("answers while a swap was loading and verifying")
          .isPositive();
      assertThat(versionsSeen).containsExactlyInAnyOrder(versionOf(first), versionOf(second));
      assertThat(served).hasSize(8);
      assertThat(served.subList(0, served.size() - 1)).allMatch(ModelBundle::released);
      assertThat(served.getLast().released()).isFalse();
      assertThat((double) rssAfter)
          .as("RSS after the swaps (%d kB) vs before (%d kB)", rssAfter / 1024, rssBefore / 1024)
          .isBetween(rssBefore * 0.9, rssBefore * 1.1);
    } finally {
      stop.set(true);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      if (!registry.current().orElseThrow().directory().equals(TestBundles.path())) {
        admin.swap(TestBundles.path());
      }
    }
  }

  private record Step(Path bundle, int status, String check) {
    static Step swap(Path bundle, int status, String check) {
      return new Step(bundle, status, check);
    }

    static Step rollback() {
      return new Step(null, 200, null);
    }
  }

  /** Sends every query once over REST and records the answers; returns the version serving. */
  private String record(HttpJson rest) {
    String version = null;
    for (int q = 0; q < HISTORIES.size(); q++) {
      String answer = restAnswer(rest, q);
      version = versionOf(answer);
      expected.put(version + "|" + q, answer);
    }
    return version + "|";
  }

  private static String versionOf(String answer) {
    return answer.substring(0, answer.indexOf('|'));
  }

  private Thread client(String name, Function<Integer, String> send) {
    return Thread.ofPlatform()
        .name(name)
        .unstarted(
            () -> {
              for (int i = 0; !stop.get(); i++) {
                int q = i % HISTORIES.size();
                try {
                  String answer = send.apply(q);
                  String version = versionOf(answer);
                  versionsSeen.add(version);
                  if (!answer.equals(expected.get(version + "|" + q))) {
                    failures.add(name + ": query " + q + " answered " + answer);
                  }
                  answered.incrementAndGet();
                } catch (RuntimeException e) {
                  failures.add(name + ": query " + q + " failed: " + e);
                }
              }
            });
  }

  private void awaitAnswers(long more) throws InterruptedException {
    long target = answered.get() + more;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (answered.get() < target && System.nanoTime() < end && failures.size() < 100) {
      Thread.sleep(5);
    }
    assertThat(answered.get())
        .as("answers while waiting (failures: %s)", failures)
        .isGreaterThanOrEqualTo(target);
  }

  /** "version|scored|unknown|id:score,..." from either API, so both compare to one record. */
  private static String canonical(
      String version, int scored, int unknown, List<Long> ids, List<Float> scores) {
    StringBuilder s =
        new StringBuilder(version)
            .append('|')
            .append(scored)
            .append('|')
            .append(unknown)
            .append('|');
    for (int i = 0; i < ids.size(); i++) {
      s.append(ids.get(i)).append(':').append(scores.get(i)).append(',');
    }
    return s.toString();
  }

  private static String restAnswer(HttpJson rest, int q) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("history", HISTORIES.get(q));
    body.put("userFeatures", Map.of("gender", "F", "age", "25"));
    body.put("candidates", CANDIDATES);
    body.put("k", 20);
    HttpJson.Answer a = rest.postJson("/v1/rank", HttpJson.JSON.writeValueAsString(body));
    if (a.status() != 200) {
      throw new IllegalStateException("HTTP " + a.status() + ": " + a.raw());
    }
    List<Long> ids = new ArrayList<>();
    List<Float> scores = new ArrayList<>();
    a.body()
        .get("items")
        .forEach(
            item -> {
              ids.add(item.get("itemId").asLong());
              scores.add(item.get("score").floatValue());
            });
    return canonical(
        a.body().get("model").get("version").asString(),
        a.body().get("candidatesScored").asInt(),
        a.body().get("candidatesUnknown").asInt(),
        ids,
        scores);
  }

  private static String grpcAnswer(RankingGrpc.RankingBlockingStub grpc, int q) {
    RankRequest request =
        RankRequest.newBuilder()
            .setHistory(ids(HISTORIES.get(q)))
            .setUserFeatures(
                UserFeatures.newBuilder().putValues("gender", "F").putValues("age", "25"))
            .setCandidates(ids(CANDIDATES))
            .setK(20)
            .build();
    RankResponse r = grpc.withDeadlineAfter(10, TimeUnit.SECONDS).rank(request);
    List<Long> ids = new ArrayList<>();
    List<Float> scores = new ArrayList<>();
    r.getItemsList()
        .forEach(
            item -> {
              ids.add(item.getItemId());
              scores.add(item.getScore());
            });
    return canonical(
        r.getModelVersion(), r.getCandidatesScored(), r.getCandidatesUnknown(), ids, scores);
  }

  private static ItemIds ids(long[] ids) {
    return ItemIds.newBuilder().addAllIds(Arrays.stream(ids).boxed().toList()).build();
  }

  /** Resident set size in bytes after a full GC and a moment for the allocator to settle. */
  private static long settledRss() throws InterruptedException, IOException {
    System.gc();
    Thread.sleep(500);
    System.gc();
    Thread.sleep(500);
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
