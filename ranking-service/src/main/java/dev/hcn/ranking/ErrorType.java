package dev.hcn.ranking;

/**
 * Stable error kinds of the ranking API. The slug is part of the public contract: REST exposes it
 * as the problem-details {@code type} ({@code https://hcn.dev/problems/<slug>}), gRPC maps each
 * kind to one status code. Never rename a slug.
 */
public enum ErrorType {
  /** A field is missing, has the wrong type or an invalid value. */
  INVALID_REQUEST("invalid-request"),
  /** The body could not be parsed at all. */
  MALFORMED_BODY("malformed-body"),
  /** k is not in [1, max]. */
  K_OUT_OF_RANGE("k-out-of-range"),
  /** More candidates than the configured maximum. */
  TOO_MANY_CANDIDATES("too-many-candidates"),
  /** Inline history longer than the configured maximum. */
  HISTORY_TOO_LONG("history-too-long"),
  /** The request body or message is larger than allowed. */
  PAYLOAD_TOO_LARGE("payload-too-large"),
  /** The service has not finished loading and warming its model. */
  NOT_READY("not-ready"),
  /**
   * The service is running as much ranking work as it admits; retrying shortly (REST: after {@code
   * Retry-After}) or on another replica is safe.
   */
  OVERLOADED("overloaded"),
  /** The caller's deadline passed before the answer was ready. */
  DEADLINE_EXCEEDED("deadline-exceeded"),
  /** The caller cancelled the request. */
  CANCELLED("cancelled"),
  /** Route or method that does not exist. */
  NOT_FOUND("not-found"),
  /** More events in one ingestion request than the configured maximum. */
  TOO_MANY_EVENTS("too-many-events"),
  /** The history store cannot be written now; retrying the same batch later is safe. */
  STORE_UNAVAILABLE("history-store-unavailable"),
  /** This service has no writable history store (the embedded source is read-only). */
  INGESTION_DISABLED("ingestion-disabled");

  /** Prefix of every problem-details {@code type}; the slug follows it. */
  public static final String TYPE_PREFIX = "https://hcn.dev/problems/";

  private final String slug;

  ErrorType(String slug) {
    this.slug = slug;
  }

  public String slug() {
    return slug;
  }
}
