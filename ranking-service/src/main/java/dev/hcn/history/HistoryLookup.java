package dev.hcn.history;

/**
 * A user's history as the ranking flow gets it.
 *
 * @param history what to rank with: fresh, the last good read (stale), or empty
 * @param fallback why the history is not a fresh read, or {@code null} when it is
 * @param stale whether a fallback was answered from the last good read rather than as a cold start
 */
public record HistoryLookup(UserHistory history, FallbackReason fallback, boolean stale) {

  public static HistoryLookup fresh(UserHistory history) {
    return new HistoryLookup(history, null, false);
  }

  /** The last good read when there is one, else an empty history. */
  public static HistoryLookup fallback(FallbackReason reason, UserHistory lastGood) {
    return lastGood == null
        ? new HistoryLookup(UserHistory.EMPTY, reason, false)
        : new HistoryLookup(lastGood, reason, true);
  }
}
