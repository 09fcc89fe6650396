package dev.hcn.history;

/**
 * Why a ranking request was served without a fresh history. The slug is public (REST {@code
 * fallbackReason}, gRPC {@code fallback_reason}, metric tag {@code reason}); never rename one.
 */
public enum FallbackReason {
  /** The store answered with an error (connection refused, Redis error, ...). */
  HISTORY_ERROR("history-error"),
  /** The store did not answer within the per-call timeout or the history budget. */
  HISTORY_TIMEOUT("history-timeout"),
  /** The circuit breaker is open: the store failed recently and is not asked. */
  HISTORY_CIRCUIT_OPEN("history-circuit-open");

  private final String slug;

  FallbackReason(String slug) {
    this.slug = slug;
  }

  public String slug() {
    return slug;
  }
}
