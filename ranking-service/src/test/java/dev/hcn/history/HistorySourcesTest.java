package dev.hcn.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.model.TestBundles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistorySourcesTest {

  @TempDir Path temp;

  @Test
  void embeddedSourceServesTheBundlesDemoHistories() {
    var source = EmbeddedHistorySource.read(TestBundles.path().resolve("demo_histories.json"));
    assertThat(source.size()).isGreaterThan(0);
    UserHistory demo = source.find("42");
    assertThat(demo.items()).isNotEmpty();
    assertThat(source.find("no-such-user")).isSameAs(UserHistory.EMPTY);
  }

  @Test
  void embeddedSourceReadsTheDocumentedFormat() throws Exception {
    Path file = temp.resolve("demo.json");
    Files.writeString(
        file,
        """
        {"users": {"7": {"history": [5, 3, 9], "features": {"gender": "F"}},
                   "8": {"history": []}}}
        """);
    var source = EmbeddedHistorySource.read(file);
    assertThat(source.find("7").items()).containsExactly(5, 3, 9);
    assertThat(source.find("7").features()).containsEntry("gender", "F");
    assertThat(source.find("8").items()).isEmpty();
    assertThat(source.find("8").features()).isEmpty();
  }

  @Test
  void embeddedSourceNamesAMissingOrMalformedFile() throws Exception {
    assertThatThrownBy(() -> EmbeddedHistorySource.read(temp.resolve("absent.json")))
        .hasMessageContaining("absent.json");
    Path bad = temp.resolve("bad.json");
    Files.writeString(bad, "{\"users\": [");
    assertThatThrownBy(() -> EmbeddedHistorySource.read(bad)).hasMessageContaining("bad.json");
  }

  @Test
  void cacheAsksTheSourceOncePerUserAndPublishesItsMetrics() {
    AtomicInteger calls = new AtomicInteger();
    HistorySource slow =
        id -> {
          calls.incrementAndGet();
          return new UserHistory(new long[] {id.length()}, Map.of());
        };
    var meters = new SimpleMeterRegistry();
    var cached = new CachingHistorySource(slow, 100, Duration.ofMinutes(1), meters);
    assertThat(cached.find("abc").items()).containsExactly(3);
    assertThat(cached.find("abc").items()).containsExactly(3);
    assertThat(cached.find("de").items()).containsExactly(2);
    assertThat(calls.get()).isEqualTo(2);
    assertThat(
            meters
                .get("cache.gets")
                .tag("cache", "history")
                .tag("result", "hit")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void cacheDoesNotRememberFailures() {
    AtomicInteger calls = new AtomicInteger();
    HistorySource flaky =
        id -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("down");
          }
          return UserHistory.EMPTY;
        };
    var cached =
        new CachingHistorySource(flaky, 100, Duration.ofMinutes(1), new SimpleMeterRegistry());
    assertThatThrownBy(() -> cached.find("u")).hasMessageContaining("down");
    assertThat(cached.find("u")).isSameAs(UserHistory.EMPTY);
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void cacheExpiresEntriesAfterTheTtl() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    var cached =
        new CachingHistorySource(
            id -> {
              calls.incrementAndGet();
              return UserHistory.EMPTY;
            },
            100,
            Duration.ofMillis(20),
            new SimpleMeterRegistry());
    cached.find("u");
    Thread.sleep(60);
    cached.find("u");
    assertThat(calls.get()).isEqualTo(2);
  }
}
