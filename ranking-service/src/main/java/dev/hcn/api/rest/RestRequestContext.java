package dev.hcn.api.rest;

import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RequestContext;

/** A REST request's life: an optional deadline from the timeout header. */
final class RestRequestContext implements RequestContext {

  static final String API = "rest";

  /**
   * Longest timeout a caller may ask for (one hour), so the deadline arithmetic cannot overflow.
   */
  private static final long MAX_TIMEOUT_MS = 3_600_000;

  private final long deadlineNanos;

  private RestRequestContext(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * @param header the header's name, for error messages
   * @param timeoutMs the header's value, or {@code null} for no deadline
   * @throws RankingException INVALID_REQUEST naming the header when the value is not a positive
   *     integer
   */
  static RequestContext withTimeout(String header, String timeoutMs) {
    if (timeoutMs == null) {
      return RequestContext.unbounded(API);
    }
    long ms;
    try {
      ms = Long.parseLong(timeoutMs.strip());
    } catch (NumberFormatException e) {
      ms = -1;
    }
    if (ms <= 0 || ms > MAX_TIMEOUT_MS) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST,
          header,
          header + " must be an integer number of milliseconds in [1, " + MAX_TIMEOUT_MS + "]");
    }
    return new RestRequestContext(System.nanoTime() + ms * 1_000_000);
  }

  @Override
  public String api() {
    return API;
  }

  @Override
  public void checkpoint() {
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new RankingException(
          ErrorType.DEADLINE_EXCEEDED, "the request's deadline passed before ranking finished");
    }
  }
}
