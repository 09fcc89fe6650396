package dev.hcn.ranking;

import java.util.function.Supplier;

/**
 * What the caller's transport knows about a request's life: its deadline and whether the caller
 * left. The ranking flow calls {@link #checkpoint()} at every stage boundary so that no work
 * continues for a caller who is gone.
 */
public interface RequestContext {

  /** The API the request came through, used as a metric tag ({@code rest} or {@code grpc}). */
  String api();

  /**
   * Throws {@link RankingException} with {@link ErrorType#DEADLINE_EXCEEDED} or {@link
   * ErrorType#CANCELLED} when the request must stop.
   */
  void checkpoint();

  /**
   * How long the request had waited for a thread behind other requests; negative where the
   * transport does not queue requests (or cannot see its queue).
   */
  default long queuedNanos() {
    return -1;
  }

  /**
   * Whether the request arrived while the queue for a thread was already full; admission control
   * refuses it before any work.
   */
  default boolean queueFull() {
    return false;
  }

  /**
   * Runs a wait of the request that uses no CPU (its history lookup). A transport whose threads are
   * sized to the cores lends a thread to the requests behind a long one; elsewhere it only runs.
   */
  default <T> T offCpu(Supplier<T> wait) {
    return wait.get();
  }

  /** A context with no deadline that is never cancelled. */
  static RequestContext unbounded(String api) {
    return new RequestContext() {
      @Override
      public String api() {
        return api;
      }

      @Override
      public void checkpoint() {}
    };
  }
}
