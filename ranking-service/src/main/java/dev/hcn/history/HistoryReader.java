package dev.hcn.history;

import dev.hcn.logging.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the ranking flow asks for a user's history. Never throws for a failing store. */
public interface HistoryReader {

  /** The user's history, or a flagged fallback when the store cannot give it in time. */
  HistoryLookup lookup(String userId);

  /** Forgets what is cached for the user, so that the next lookup reads the store. */
  default void invalidate(String userId) {}

  /** A reader that asks an in-process source directly; a failure becomes a cold start. */
  static HistoryReader direct(HistorySource source) {
    Logger log = LoggerFactory.getLogger(HistoryReader.class);
    return userId -> {
      try {
        return HistoryLookup.fresh(source.find(userId));
      } catch (RuntimeException e) {
        log.warn("history source failed, serving an empty history: {}", LogSafe.text(e));
        return HistoryLookup.fallback(FallbackReason.HISTORY_ERROR, null);
      }
    };
  }
}
