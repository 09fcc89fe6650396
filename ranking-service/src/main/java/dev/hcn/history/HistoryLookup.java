package dev.hcn.history;

/**
 * A user's history as the ranking flow gets it.
 *
 * @param history what to rank with: fresh, the last good read (stale), or empty
 * @param fallback why the history is not a fresh read, or {@code null} when it is
 */
public record HistoryLookup(UserHistory history, FallbackReason fallback) {

  public static HistoryLookup fresh(UserHistory history) {
    return new HistoryLookup(history, null);
  }

  /** The last good read when there is one, else an empty history. */
  public static HistoryLookup fallback(FallbackReason reason, UserHistory lastGood) {
    return new HistoryLookup(lastGood == null ? UserHistory.EMPTY : lastGood, reason);
  }
}
