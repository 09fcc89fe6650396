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
 * Connects to the history store and then warms its client, on a thread of its own from the moment
 * the store exists, so that start-up goes on creating beans and starting the servers meanwhile.
 * Readiness waits for the connection ({@link #await}): the first connection's handshake costs more
 * than a command's timeout, so traffic before it would fall back. The warm-up reads after it only
 * get the client's read path compiled sooner; a cold read takes milliseconds, well inside the
 * timeout, so readiness does not wait for them (they took about 3 s on two cores beside the start:
 * docs/startup.md).
 *
 * <p>The wait is bounded, and a store that is down or slow only logs: readiness must not depend on
 * the store, because without it ranking falls back.
 */
public final class HistoryStoreWarmUp {

  private static final Logger log = LoggerFactory.getLogger(HistoryStoreWarmUp.class);

  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final Duration bound;

  private HistoryStoreWarmUp(Duration bound) {
    this.bound = bound;
  }

  /**
   * Runs {@code connect}, then {@code reads}, on a daemon thread started now (a context that fails
   * to start must not wait for it); reads run only after a connection.
   *
   * @param bound longest {@link #await} waits for the connection
   */
  public static HistoryStoreWarmUp start(Runnable connect, Runnable reads, Duration bound) {
    HistoryStoreWarmUp warmUp = new HistoryStoreWarmUp(bound);
    Thread.ofPlatform()
        .name("history-warm-up")
        .daemon()
        .start(
            () -> {
              long start = System.nanoTime();
              try {
                connect.run();
                warmUp.connected.complete(null);
              } catch (Throwable e) {
                warmUp.connected.completeExceptionally(e);
                return;
              }
              try {
                reads.run();
                log.info(
                    "history store warm-up done in {} ms", (System.nanoTime() - start) / 1_000_000);
              } catch (RuntimeException e) {
                log.warn("history store warm-up reads failed: {}", LogSafe.text(causes(e)));
              }
            });
    return warmUp;
  }

  /**
   * Returns once the store is connected, or after waiting the bound; never throws.
   *
   * @return whether the connection succeeded in time
   */
  public boolean await() {
    try {
      connected.get(bound.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (TimeoutException e) {
      log.warn("history store not connected within {}; serving while it connects", bound);
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
