package dev.hcn.history;

/** Behaviour history and user features by user id (embedded demo data, Redis, ...). */
public interface HistorySource {

  /**
   * The user's history; {@link UserHistory#EMPTY} for an unknown user (a cold start, not an error).
   *
   * @throws RuntimeException when the source itself fails; the caller degrades to an empty history
   */
  UserHistory find(String userId);
}
