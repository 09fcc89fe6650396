package dev.hcn.history;

import dev.hcn.logging.LogSafe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the history store on a thread of its own, from the moment the store exists, so that start
 * up goes on creating beans and starting the servers meanwhile; readiness waits for it ({@link
 * #await}), so that the first seconds of traffic find the store's client compiled.
 *
 * <p>The wait is bounded from the start of the warm-up, and a store that is down or slow only logs:
 * readiness must not depend on the store, because without it ranking falls back.
 */
public final class HistoryStoreWarmUp {

  private static final Logger log = LoggerFactory.getLogger(HistoryStoreWarmUp.class);

  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Duration bound;
  private final long deadlineNanos;

  private HistoryStoreWarmUp(Duration bound) {
    this.bound = bound;
    this.deadlineNanos = System.nanoTime() + bound.toNanos();
  }

  /** Starts {@code work} now on a daemon thread (a context that fails to start must not wait). */
  public static HistoryStoreWarmUp start(Runnable work, Duration bound) {
    HistoryStoreWarmUp warmUp = new HistoryStoreWarmUp(bound);
    Thread.ofPlatform()
        .name("history-warm-up")
        .daemon()
        .start(
            () -> {
              try {
                work.run();
                warmUp.done.complete(null);
              } catch (Throwable e) {
                warmUp.done.completeExceptionally(e);
              }
            });
    return warmUp;
  }

  /**
   * Returns once the warm-up is done, or once its bound has passed; never throws.
   *
   * @return whether the warm-up finished without a failure in time
   */
  public boolean await() {
    try {
      done.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (TimeoutException e) {
      log.warn("history store warm-up not done within {}; serving while it goes on", bound);
      return false;
    } catch (ExecutionException e) {
      log.warn(
          "history store not reachable at start; ranking falls back until it is: {}",
          LogSafe.text(causes(e.getCause())));
      return false;
    }
  }

  /** The client's own exception says only "Unable to connect"; its causes say why. */
  private static String causes(Throwable e) {
    StringBuilder out = new StringBuilder(e.toString());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      out.append(" <- ").append(c);
    }
    return out.toString();
  }
}
