package dev.hcn.events;

import dev.hcn.history.HistoryReader;
import dev.hcn.history.HistoryWriter;
import dev.hcn.logging.LogSafe;
import dev.hcn.model.ModelRegistry;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingProperties;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates a batch of events (the whole batch, before anything is written, with the rank API's
 * error types), groups it by user, appends through the store's breaker and evicts the users' cached
 * histories, so that their next ranking sees the events.
 */
public final class EventIngestion implements EventSink {

  private static final Logger log = LoggerFactory.getLogger(EventIngestion.class);

  private final HistoryWriter writer;
  private final HistoryReader reader;
  private final CircuitBreaker breaker;
  private final ModelRegistry registry;
  private final EventsProperties limits;
  private final RankingProperties ranking;
  private final Clock clock;

  public EventIngestion(
      HistoryWriter writer,
      HistoryReader reader,
      CircuitBreaker breaker,
      ModelRegistry registry,
      EventsProperties limits,
      RankingProperties ranking,
      Clock clock) {
    this.writer = writer;
    this.reader = reader;
    this.breaker = breaker;
    this.registry = registry;
    this.limits = limits;
    this.ranking = ranking;
    this.clock = clock;
  }

  /**
   * @throws RankingException INVALID_REQUEST / TOO_MANY_EVENTS for bad input, NOT_READY before a
   *     bundle serves, STORE_UNAVAILABLE when the store cannot be written (nothing is lost
   *     silently: the caller retries, and a replay is harmless)
   */
  @Override
  public IngestResult ingest(List<Event> events) {
    Map<String, List<HistoryWriter.Event>> byUser = validate(events);
    if (registry.current().isEmpty()) {
      throw new RankingException(
          ErrorType.NOT_READY, "the model is still loading; histories are trimmed to its length");
    }
    Map<String, HistoryWriter.Appended> appended;
    try {
      appended = breaker.executeSupplier(() -> writer.append(byUser));
    } catch (CallNotPermittedException e) {
      throw unavailable("the history store failed recently and is not asked for a moment");
    } catch (RuntimeException e) {
      log.warn("history store write failed: {}", LogSafe.text(e));
      throw unavailable("the history store cannot be written: " + e.getClass().getSimpleName());
    } finally {
      // Even a failed write may have reached some users: never let the cache hide it.
      byUser.keySet().forEach(reader::invalidate);
    }
    int added = 0;
    int duplicates = 0;
    int stale = 0;
    for (HistoryWriter.Appended a : appended.values()) {
      added += a.added();
      duplicates += a.duplicates();
      stale += a.stale();
    }
    return new IngestResult(added, duplicates + stale, duplicates, stale);
  }

  private Map<String, List<HistoryWriter.Event>> validate(List<Event> events) {
    if (events == null) {
      throw new RankingException(ErrorType.INVALID_REQUEST, "events", "events is required");
    }
    if (events.isEmpty()) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST, "events", "events must hold at least one event");
    }
    if (events.size() > limits.maxBatch()) {
      throw new RankingException(
          ErrorType.TOO_MANY_EVENTS,
          "events",
          "events has "
              + events.size()
              + " entries, at most "
              + limits.maxBatch()
              + " are allowed");
    }
    long now = clock.millis() / 1000;
    long latest = now + limits.maxFutureSkew().toSeconds();
    Map<String, List<HistoryWriter.Event>> byUser = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      String at = "events[" + i + "]";
      if (e == null) {
        throw new RankingException(ErrorType.INVALID_REQUEST, at, at + " is null");
      }
      String user = e.userId();
      if (user == null || user.isBlank()) {
        throw new RankingException(
            ErrorType.INVALID_REQUEST, at + ".userId", at + ".userId is required");
      }
      if (user.length() > ranking.maxUserIdLength()) {
        throw new RankingException(
            ErrorType.INVALID_REQUEST,
            at + ".userId",
            at + ".userId is longer than " + ranking.maxUserIdLength() + " characters");
      }
      if (!plain(user)) {
        throw new RankingException(
            ErrorType.INVALID_REQUEST,
            at + ".userId",
            at + ".userId must not contain braces or control characters");
      }
      if (e.itemId() == null) {
        throw new RankingException(
            ErrorType.INVALID_REQUEST, at + ".itemId", at + ".itemId is required");
      }
      long ts = e.timestamp() == null ? now : e.timestamp();
      if (ts < 0 || ts > latest) {
        throw new RankingException(
            ErrorType.INVALID_REQUEST,
            at + ".timestamp",
            at + ".timestamp must be epoch seconds between 0 and " + latest + ", got " + ts);
      }
      byUser
          .computeIfAbsent(user, u -> new ArrayList<>())
          .add(new HistoryWriter.Event(e.itemId(), ts));
    }
    // Stable: events of one second keep the order they were sent in.
    byUser.values().forEach(l -> l.sort(Comparator.comparingLong(HistoryWriter.Event::timestamp)));
    return byUser;
  }

  /** Braces would move the Redis Cluster hash tag; control characters have no place in an id. */
  private static boolean plain(String user) {
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      if (c == '{' || c == '}' || Character.isISOControl(c)) {
        return false;
      }
    }
    return true;
  }

  private static RankingException unavailable(String message) {
    return new RankingException(ErrorType.STORE_UNAVAILABLE, message);
  }
}
