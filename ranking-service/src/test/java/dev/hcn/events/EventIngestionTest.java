package dev.hcn.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.history.HistoryReader;
import dev.hcn.history.HistoryWriter;
import dev.hcn.history.UserHistory;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TestBundles;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Validation, grouping and failure mapping of ingestion, in front of an in-test writer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventIngestionTest {

  static final long NOW = 1_750_000_000L;
  static final RankingProperties RANKING =
      new RankingProperties(1000, 200_000, 1000, 8, 64, 20_000, 0, 256, true);

  private ModelBundle bundle;
  private final ModelRegistry registry = new ModelRegistry();
  private final AtomicReference<Map<String, List<HistoryWriter.Event>>> written =
      new AtomicReference<>();
  private final List<String> invalidated = new ArrayList<>();

  @BeforeAll
  void load() {
    bundle = TestBundles.load();
    registry.install(bundle);
  }

  @AfterAll
  void close() {
    bundle.close();
  }

  private EventIngestion ingestion(HistoryWriter writer, CircuitBreaker breaker) {
    HistoryReader reader =
        new HistoryReader() {
          @Override
          public dev.hcn.history.HistoryLookup lookup(String userId) {
            return dev.hcn.history.HistoryLookup.fresh(UserHistory.EMPTY);
          }

          @Override
          public void invalidate(String userId) {
            invalidated.add(userId);
          }
        };
    return new EventIngestion(
        writer,
        reader,
        breaker,
        registry,
        new EventsProperties(3, Duration.ofDays(1)),
        RANKING,
        Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
  }

  private EventIngestion recording() {
    return ingestion(
        byUser -> {
          written.set(byUser);
          Map<String, HistoryWriter.Appended> out = new HashMap<>();
          byUser.forEach((u, l) -> out.put(u, new HistoryWriter.Appended(l.size() - 1, 1, 0)));
          return out;
        },
        CircuitBreaker.ofDefaults("test"));
  }

  @Test
  void groupsByUserInTimeOrderAndEvictsThoseUsers() {
    IngestResult r =
        recording()
            .ingest(
                List.of(
                    new Event("a", 5L, NOW - 10),
                    new Event("b", 6L, null),
                    new Event("a", 7L, NOW - 20)));
    assertThat(written.get().get("a"))
        .containsExactly(
            new HistoryWriter.Event(7, NOW - 20), new HistoryWriter.Event(5, NOW - 10));
    assertThat(written.get().get("b")).containsExactly(new HistoryWriter.Event(6, NOW));
    assertThat(r).isEqualTo(new IngestResult(1, 2, 2, 0));
    assertThat(invalidated).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void refusesBadBatchesBeforeWritingAnything() {
    written.set(null);
    EventIngestion in = recording();
    expect(in, null, ErrorType.INVALID_REQUEST, "events");
    expect(in, List.of(), ErrorType.INVALID_REQUEST, "events");
    expect(
        in,
        List.of(
            new Event("a", 1L, 1L),
            new Event("a", 2L, 2L),
            new Event("a", 3L, 3L),
            new Event("a", 4L, 4L)),
        ErrorType.TOO_MANY_EVENTS,
        "events");
    expect(in, List.of(new Event(" ", 1L, 1L)), ErrorType.INVALID_REQUEST, "events[0].userId");
    expect(
        in,
        List.of(new Event("a", 1L, 1L), new Event("123456789", 1L, 1L)),
        ErrorType.INVALID_REQUEST,
        "events[1].userId");
    expect(in, List.of(new Event("a{b}", 1L, 1L)), ErrorType.INVALID_REQUEST, "events[0].userId");
    expect(in, List.of(new Event("a\n", 1L, 1L)), ErrorType.INVALID_REQUEST, "events[0].userId");
    expect(in, List.of(new Event("a", null, 1L)), ErrorType.INVALID_REQUEST, "events[0].itemId");
    expect(in, List.of(new Event("a", 1L, -1L)), ErrorType.INVALID_REQUEST, "events[0].timestamp");
    expect(
        in,
        List.of(new Event("a", 1L, NOW + 2 * 86_400)),
        ErrorType.INVALID_REQUEST,
        "events[0].timestamp");
    assertThat(written.get()).isNull();
  }

  @Test
  void aFailingStoreIsUnavailableNeverASilentDrop() {
    EventIngestion down =
        ingestion(
            byUser -> {
              throw new IllegalStateException("connection refused");
            },
            CircuitBreaker.ofDefaults("down"));
    assertThatThrownBy(() -> down.ingest(List.of(new Event("a", 1L, 1L))))
        .isInstanceOfSatisfying(
            RankingException.class,
            e -> assertThat(e.type()).isEqualTo(ErrorType.STORE_UNAVAILABLE));
    assertThat(invalidated).contains("a");

    CircuitBreaker open = CircuitBreaker.of("open", CircuitBreakerConfig.custom().build());
    open.transitionToOpenState();
    assertThatThrownBy(
            () -> ingestion(byUser -> Map.of(), open).ingest(List.of(new Event("a", 1L, 1L))))
        .isInstanceOfSatisfying(
            RankingException.class,
            e -> assertThat(e.type()).isEqualTo(ErrorType.STORE_UNAVAILABLE));
  }

  private static void expect(EventIngestion in, List<Event> events, ErrorType type, String field) {
    assertThatThrownBy(() -> in.ingest(events))
        .isInstanceOfSatisfying(
            RankingException.class,
            e -> {
              assertThat(e.type()).isEqualTo(type);
              assertThat(e.field()).isEqualTo(field);
            });
  }
}
