package dev.hcn.history;

import java.util.List;
import java.util.Map;

/** Appends ingested events to users' histories. */
public interface HistoryWriter {

  /** One event; {@code timestamp} in epoch seconds. */
  record Event(long itemId, long timestamp) {}

  /**
   * What one append did for one user.
   *
   * @param added events appended to the history
   * @param duplicates events already stored (a replay), not appended again
   * @param stale events older than everything the replay guard still remembers, not appended
   */
  record Appended(int added, int duplicates, int stale) {}

  /**
   * Appends each user's events (oldest first) atomically per user and trims the history to the
   * configured length. A replay of stored events changes nothing.
   *
   * @throws RuntimeException when the store cannot be written
   */
  Map<String, Appended> append(Map<String, List<Event>> eventsByUser);
}
