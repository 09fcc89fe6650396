package dev.hcn.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.api.grpc.v1.Event;
import dev.hcn.api.grpc.v1.IngestRequest;
import dev.hcn.api.grpc.v1.IngestResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.api.rest.HttpJson;
import dev.hcn.history.HistoryReader;
import dev.hcn.model.ModelRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import tools.jackson.databind.JsonNode;

/**
 * The service on the Redis source against a real Redis, over its real APIs. Subclasses choose the
 * Redis (a standalone server, a 3-master Cluster) by configuration alone. Every test uses its own
 * user ids; every fault test ends with Redis serving again.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "hcn.model.bundle-path=${hcn.test.bundle:../model-artifacts/bundles/hcn-ml1m}",
      "spring.grpc.server.port=0",
      "hcn.history.source=redis",
      // Generous for a loaded 2-core test machine, where a pause of a few hundred milliseconds
      // (GC, a descheduled thread or Redis) must not turn a read into a fallback, nor a few such
      // fallbacks open the breaker for the tests after it. The budget, below the per-call
      // timeout, is what ends a read from a frozen Redis (WELL_WITHIN_THE_TIMEOUT_MS).
      "spring.data.redis.timeout=10s",
      "hcn.history.budget=2s",
      // Long enough that a test sees its own cached entry; expiry is Caffeine's, not tested here.
      "hcn.history.cache.ttl=60s",
      "hcn.history.breaker.window=10",
      "hcn.history.breaker.minimum-calls=5",
      "hcn.history.breaker.open-for=500ms",
      "hcn.history.breaker.half-open-calls=2"
    })
abstract class RedisContract {

  private static final AtomicInteger USERS = new AtomicInteger();

  /**
   * Longer than the 2 s history budget and any pause of a loaded machine, shorter than the 10 s
   * per-call timeout: a ranking answered within it was bounded by the budget.
   */
  private static final long WELL_WITHIN_THE_TIMEOUT_MS = 8_000;

  private static final Path IMPORTER_ROOT = Path.of("../model-artifacts").toAbsolutePath();

  @LocalServerPort int port;
  @Autowired StringRedisTemplate redis;
  @Autowired ModelRegistry registry;
  @Autowired HistoryReader reader;
  @Autowired CircuitBreaker breaker;
  @Autowired ApplicationAvailability availability;
  @Autowired GrpcServerLifecycle grpcServer;

  @Autowired
  @Qualifier("historyStoreHealthIndicator")
  HealthIndicator storeHealth;

  @TempDir Path temp;

  HttpJson http;
  ManagedChannel channel;

  /** The Redis behind the service. */
  abstract RedisControl control();

  @BeforeEach
  void connect() {
    http = new HttpJson(port);
    channel =
        NettyChannelBuilder.forAddress("localhost", grpcServer.getPort()).usePlaintext().build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  // ---- scenarios -------------------------------------------------------------------------------

  @Test
  void ranksWithTheHistoryAndFeaturesStoredInRedis() {
    String user = user();
    long[] history = items(7, 30);
    store(user, history, Map.of("gender", "F", "age", "25"));

    JsonNode fromRedis = rank(user);
    assertThat(fromRedis.get("fallback").asBoolean()).isFalse();
    assertThat(fromRedis.has("fallbackReason")).isFalse();
    assertThat(fromRedis.get("coldStart").asBoolean()).isFalse();
    assertThat(scores(fromRedis))
        .isEqualTo(scores(rankInline(history, "{\"gender\": \"F\", \"age\": \"25\"}")));
  }

  @Test
  void ingestedEventsAreUsedByTheVeryNextRanking() {
    String user = user();
    assertThat(rank(user).get("coldStart").asBoolean()).isTrue();

    long[] events = items(11, 3);
    JsonNode answer = ingest(user, events, 1_700_000_000L);
    assertThat(answer.get("accepted").asInt()).isEqualTo(3);
    assertThat(answer.get("rejected").asInt()).isZero();

    assertThat(redis.opsForList().range("hcn:{" + user + "}:hist", 0, -1))
        .containsExactly(ids(reversed(events)));
    JsonNode next = rank(user);
    assertThat(next.get("coldStart").asBoolean()).isFalse();
    assertThat(scores(next)).isEqualTo(scores(rankInline(events, "{}")));
  }

  @Test
  void replayingABatchNeverDuplicatesHistory() {
    String user = user();
    long[] events = items(5, 6);
    assertThat(ingest(user, events, 1_700_000_000L).get("accepted").asInt()).isEqualTo(6);
    JsonNode replay = ingest(user, events, 1_700_000_000L);
    assertThat(replay.get("accepted").asInt()).isZero();
    assertThat(replay.get("duplicates").asInt()).isEqualTo(6);
    assertThat(replay.get("rejected").asInt()).isEqualTo(6);

    // The same batch over gRPC is recognised too.
    IngestRequest.Builder grpc = IngestRequest.newBuilder();
    for (int i = 0; i < events.length; i++) {
      grpc.addEvents(
          Event.newBuilder().setUserId(user).setItemId(events[i]).setTimestamp(1_700_000_000L + i));
    }
    IngestResponse viaGrpc = RankingGrpc.newBlockingStub(channel).ingest(grpc.build());
    assertThat(viaGrpc.getAccepted()).isZero();
    assertThat(viaGrpc.getDuplicates()).isEqualTo(6);
    assertThat(redis.opsForList().size("hcn:{" + user + "}:hist")).isEqualTo(6);

    // Past the history length, an old batch whose identities were trimmed away is still refused.
    int length = length();
    long[] many = items(40, length + 10);
    assertThat(ingest(user, many, 1_760_000_000L).get("accepted").asInt()).isEqualTo(length + 10);
    JsonNode old = ingest(user, events, 1_700_000_000L);
    assertThat(old.get("accepted").asInt()).isZero();
    assertThat(old.get("stale").asInt()).isEqualTo(6);
    assertThat(redis.opsForList().size("hcn:{" + user + "}:hist")).isEqualTo(length);
    assertThat(redis.opsForZSet().size("hcn:{" + user + "}:seen")).isEqualTo(length);
  }

  @Test
  void ingestionEvictsTheCachedHistory() {
    String user = user();
    long[] first = items(3, 10);
    store(user, first, Map.of());
    JsonNode before = rank(user); // now cached
    // Written behind the service's back: the cached history hides it...
    redis.opsForList().leftPush("hcn:{" + user + "}:hist", Long.toString(id(200)));
    assertThat(scores(rank(user))).isEqualTo(scores(before));
    // ...until an ingestion for the user evicts the entry.
    ingest(user, new long[] {id(300)}, 1_750_000_000L);
    long[] now =
        LongStream.concat(
                LongStream.concat(LongStream.of(first), LongStream.of(id(200))),
                LongStream.of(id(300)))
            .toArray();
    assertThat(scores(rank(user))).isEqualTo(scores(rankInline(now, "{}")));
  }

  @Test
  void bulkImportIsIdempotentAndServed() throws Exception {
    Path data = temp.resolve("ml-1m");
    Files.createDirectories(data);
    String a = user();
    String b = user();
    long[] ofA = items(21, 130); // longer than the history length: the import keeps the newest
    long[] ofB = items(50, 4);
    List<String> ratings = new ArrayList<>();
    for (int i = ofA.length - 1; i >= 0; i--) { // file order is not time order
      ratings.add(a + "::" + ofA[i] + "::4::" + (1_000_000 + i));
    }
    for (int i = 0; i < ofB.length; i++) {
      ratings.add(b + "::" + ofB[i] + "::5::" + (2_000_000 + i));
    }
    Files.write(data.resolve("ratings.dat"), ratings, StandardCharsets.ISO_8859_1);
    Files.write(
        data.resolve("users.dat"),
        List.of(a + "::F::25::3::12345", b + "::M::35::7::54321"),
        StandardCharsets.ISO_8859_1);

    importData(data);
    Map<String, Object> once = snapshot(a, b);
    ingest(b, new long[] {id(99)}, 3_000_000L); // changed in between...
    importData(data);
    assertThat(snapshot(a, b)).isEqualTo(once); // ...and the same state again

    int length = length();
    long[] keptOfA = Arrays.copyOfRange(ofA, ofA.length - length, ofA.length);
    assertThat(redis.opsForList().range("hcn:{" + a + "}:hist", 0, -1))
        .containsExactly(ids(reversed(keptOfA)));
    assertThat(redis.<String, String>opsForHash().entries("hcn:{" + a + "}:feat"))
        .containsEntry("gender", "F")
        .containsEntry("age", "25")
        .containsEntry("occupation", "3");
    reader.invalidate(a);
    assertThat(scores(rank(a)))
        .isEqualTo(
            scores(
                rankInline(
                    keptOfA, "{\"gender\": \"F\", \"age\": \"25\", \"occupation\": \"3\"}")));
    // An imported event replayed through the API is recognised.
    JsonNode replay = ingest(b, ofB, 2_000_000L);
    assertThat(replay.get("duplicates").asInt()).isEqualTo(ofB.length);
  }

  @Test
  void redisStoppedMidRunFallsBackThenRecovers() {
    String known = user();
    long[] history = items(9, 20);
    store(known, history, Map.of());
    JsonNode normal = awaitNormal(known); // an earlier fault test may still be recovering

    control().stop();
    try {
      // Its fresh entry expires (as after the TTL); the last good read is still kept.
      reader.invalidate(known);
      JsonNode stale = timedRank(known);
      assertThat(stale.get("fallback").asBoolean()).isTrue();
      assertThat(stale.get("fallbackReason").asString()).startsWith("history-");
      assertThat(stale.get("coldStart").asBoolean()).isFalse();
      assertThat(scores(stale)).isEqualTo(scores(normal));

      // Unknown users are cold starts, flagged; the breaker opens and then answers at once.
      String reason = "";
      for (int i = 0; i < 30 && !reason.equals("history-circuit-open"); i++) {
        JsonNode cold = timedRank(user());
        assertThat(cold.get("fallback").asBoolean()).isTrue();
        assertThat(cold.get("coldStart").asBoolean()).isTrue();
        reason = cold.get("fallbackReason").asString();
      }
      assertThat(reason).isEqualTo("history-circuit-open");
      assertThat(breaker.getState())
          .isIn(CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN);

      // Ingestion is refused, never dropped; the store is reported down; readiness is not affected.
      var refused = http.postJson("/v1/events", eventsJson(user(), new long[] {id(1)}, 1L));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.body().get("type").asString())
          .isEqualTo("https://hcn.dev/problems/history-store-unavailable");
      assertThat(storeHealth.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
    } finally {
      control().start();
    }
    awaitStore();

    String after = user();
    long[] fresh = items(60, 12);
    store(after, fresh, Map.of());
    JsonNode back = awaitNormal(after);
    assertThat(scores(back)).isEqualTo(scores(rankInline(fresh, "{}")));
    assertThat(ingest(user(), new long[] {id(2)}, 5L).get("accepted").asInt()).isEqualTo(1);
    assertThat(storeHealth.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void slowRedisIsAnsweredWithinTheBudget() {
    String user = user();
    store(user, items(13, 25), Map.of());
    awaitNormal(user()); // the breaker may still be recovering from an earlier test
    // Frozen until the answer is in: only the budget can end the read.
    control().freeze();
    try {
      JsonNode slow = timedRank(user);
      assertThat(slow.get("fallback").asBoolean()).isTrue();
      assertThat(slow.get("fallbackReason").asString()).isEqualTo("history-timeout");
    } finally {
      control().thaw();
    }
    JsonNode back = awaitNormal(user);
    assertThat(back.get("coldStart").asBoolean()).isFalse();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private String user() {
    return "t"
        + ProcessHandle.current().pid()
        + "-"
        + getClass().getSimpleName()
        + "-"
        + USERS.incrementAndGet();
  }

  private long id(int row) {
    return registry.current().orElseThrow().items().id(row);
  }

  /** {@code n} distinct catalogue ids from row {@code from}, spread over the catalogue. */
  private long[] items(int from, int n) {
    int rows = registry.current().orElseThrow().items().rows() - 1;
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = id(1 + (from + 7 * i) % rows);
    }
    return out;
  }

  private int length() {
    var info = registry.current().orElseThrow();
    return info.longLength() + info.shortLength();
  }

  private long[] candidates() {
    return items(1, 50);
  }

  /** Writes the layout the importer writes: newest first. */
  private void store(String user, long[] oldestFirst, Map<String, String> features) {
    redis.delete(List.of("hcn:{" + user + "}:hist", "hcn:{" + user + "}:feat"));
    redis.opsForList().leftPushAll("hcn:{" + user + "}:hist", ids(oldestFirst));
    if (!features.isEmpty()) {
      redis.opsForHash().putAll("hcn:{" + user + "}:feat", features);
    }
  }

  private JsonNode rank(String user) {
    var a =
        http.postJson(
            "/v1/rank",
            "{\"userId\": \""
                + user
                + "\", \"k\": 10, \"candidates\": "
                + json(candidates())
                + "}");
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    return a.body();
  }

  /** A ranking that must be answered within the history budget, not the per-call timeout. */
  private JsonNode timedRank(String user) {
    long start = System.nanoTime();
    JsonNode answer = rank(user);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(WELL_WITHIN_THE_TIMEOUT_MS);
    return answer;
  }

  private JsonNode rankInline(long[] history, String features) {
    var a =
        http.postJson(
            "/v1/rank",
            "{\"history\": "
                + json(history)
                + ", \"userFeatures\": "
                + features
                + ", \"k\": 10, \"candidates\": "
                + json(candidates())
                + "}");
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    return a.body();
  }

  private JsonNode awaitNormal(String user) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonNode answer = rank(user);
    while (answer.get("fallback").asBoolean() && System.nanoTime() < deadline) {
      RedisProcess.sleep(100);
      answer = rank(user);
    }
    assertThat(answer.get("fallback").asBoolean()).as("normal answers return").isFalse();
    return answer;
  }

  /** Waits until the service's own Redis client is connected again. */
  private void awaitStore() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        redis.execute((org.springframework.data.redis.core.RedisCallback<String>) c -> c.ping());
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        RedisProcess.sleep(100);
      }
    }
  }

  /** Events {@code ts0, ts0+1, ...} for one user. */
  private JsonNode ingest(String user, long[] items, long ts0) {
    var a = http.postJson("/v1/events", eventsJson(user, items, ts0));
    assertThat(a.status()).as(a.raw()).isEqualTo(202);
    return a.body();
  }

  private static String eventsJson(String user, long[] items, long ts0) {
    StringBuilder s = new StringBuilder("{\"events\": [");
    for (int i = 0; i < items.length; i++) {
      s.append(i == 0 ? "" : ",")
          .append("{\"userId\": \"")
          .append(user)
          .append("\", \"itemId\": ")
          .append(items[i])
          .append(", \"timestamp\": ")
          .append(ts0 + i)
          .append('}');
    }
    return s.append("]}").toString();
  }

  private void importData(Path data) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/bin/python3",
                "-m",
                "hcn.redis_import",
                "--dataset",
                "ml-1m",
                "--path",
                data.toString(),
                "--length",
                Integer.toString(length()),
                "--no-progress"));
    command.addAll(control().importerArgs());
    Process p =
        new ProcessBuilder(command)
            .directory(IMPORTER_ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("imported 2 users");
  }

  private Map<String, Object> snapshot(String... users) {
    Map<String, Object> state = new LinkedHashMap<>();
    for (String u : users) {
      state.put(u + ":hist", redis.opsForList().range("hcn:{" + u + "}:hist", 0, -1));
      state.put(u + ":feat", new HashMap<>(redis.opsForHash().entries("hcn:{" + u + "}:feat")));
      state.put(
          u + ":seen",
          redis.opsForZSet().rangeWithScores("hcn:{" + u + "}:seen", 0, -1).toString());
    }
    return state;
  }

  private static List<String> scores(JsonNode answer) {
    List<String> out = new ArrayList<>();
    answer
        .get("items")
        .forEach(i -> out.add(i.get("itemId").asLong() + "=" + i.get("score").asDouble()));
    return out;
  }

  private static long[] reversed(long[] a) {
    long[] r = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[a.length - 1 - i];
    }
    return r;
  }

  private static String[] ids(long[] a) {
    return Arrays.stream(a).mapToObj(Long::toString).toArray(String[]::new);
  }

  private static String json(long[] a) {
    return Arrays.stream(a).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
  }
}
