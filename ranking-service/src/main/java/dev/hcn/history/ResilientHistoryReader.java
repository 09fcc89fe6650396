package dev.hcn.history;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hcn.logging.LogSafe;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote store behind a short-lived cache, a circuit breaker and a time budget.
 *
 * <ul>
 *   <li>A fresh cache entry (younger than the TTL) answers without asking the store.
 *   <li>Otherwise the store is asked through the breaker, on a platform thread, for at most the
 *       budget. An open breaker, an error or a timeout answers with the last good read (kept for
 *       the stale TTL) when there is one, else as a cold start, flagged with the reason.
 *   <li>Only non-empty histories are cached: unknown users never displace known ones.
 * </ul>
 */
public final class ResilientHistoryReader implements HistoryReader, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ResilientHistoryReader.class);

  private final HistorySource store;
  private final CircuitBreaker breaker;
  private final long budgetNanos;
  private final Cache<String, UserHistory> fresh;
  private final Cache<String, UserHistory> lastGood;

  /**
   * Store calls in flight at once; beyond it a lookup falls back at once, as for an open breaker
   * (only a store that has stopped answering holds this many, and the breaker opens on it soon).
   */
  static final int MAX_CALLS_IN_FLIGHT = 256;

  // Platform threads, not virtual ones: ranking is CPU-bound and holds its carrier, so a store
  // call on a virtual thread could wait past the budget for a carrier to read an answer that had
  // long arrived. Idle threads leave after a minute.
  private final ExecutorService calls =
      new ThreadPoolExecutor(
          0,
          MAX_CALLS_IN_FLIGHT,
          1,
          TimeUnit.MINUTES,
          new SynchronousQueue<>(),
          Thread.ofPlatform().name("history-", 0).daemon(true).factory());

  public ResilientHistoryReader(
      HistorySource store,
      CircuitBreaker breaker,
      Duration budget,
      HistoryProperties.Cache cache,
      MeterRegistry registry) {
    this.store = store;
    this.breaker = breaker;
    this.budgetNanos = budget.toNanos();
    this.fresh =
        Caffeine.newBuilder()
            .maximumSize(cache.maxSize())
            .expireAfterWrite(cache.ttl())
            .recordStats()
            .build();
    this.lastGood =
        Caffeine.newBuilder()
            .maximumSize(cache.maxSize())
            .expireAfterWrite(cache.staleTtl())
            .build();
    CaffeineCacheMetrics.monitor(registry, fresh, "history");
  }

  @Override
  public HistoryLookup lookup(String userId) {
    UserHistory cached = fresh.getIfPresent(userId);
    if (cached != null) {
      return HistoryLookup.fresh(cached);
    }
    if (!breaker.tryAcquirePermission()) {
      return HistoryLookup.fallback(
          FallbackReason.HISTORY_CIRCUIT_OPEN, lastGood.getIfPresent(userId));
    }
    long start = System.nanoTime();
    Future<UserHistory> call;
    try {
      call = calls.submit(() -> store.find(userId));
    } catch (RejectedExecutionException busy) {
      breaker.releasePermission();
      return HistoryLookup.fallback(FallbackReason.HISTORY_ERROR, lastGood.getIfPresent(userId));
    }
    try {
      UserHistory history = call.get(budgetNanos, TimeUnit.NANOSECONDS);
      breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      if (history.isEmpty()) {
        fresh.invalidate(userId);
        lastGood.invalidate(userId);
      } else {
        fresh.put(userId, history);
        lastGood.put(userId, history);
      }
      return HistoryLookup.fresh(history);
    } catch (TimeoutException e) {
      call.cancel(true);
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      return HistoryLookup.fallback(FallbackReason.HISTORY_TIMEOUT, lastGood.getIfPresent(userId));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, cause);
      FallbackReason reason =
          isTimeout(cause) ? FallbackReason.HISTORY_TIMEOUT : FallbackReason.HISTORY_ERROR;
      log.debug("history store failed: {}", LogSafe.text(cause));
      return HistoryLookup.fallback(reason, lastGood.getIfPresent(userId));
    } catch (InterruptedException e) {
      call.cancel(true);
      breaker.releasePermission();
      Thread.currentThread().interrupt();
      return HistoryLookup.fallback(FallbackReason.HISTORY_ERROR, lastGood.getIfPresent(userId));
    }
  }

  @Override
  public void invalidate(String userId) {
    fresh.invalidate(userId);
  }

  /** The breaker's state, for health. */
  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  @Override
  public void close() {
    calls.shutdownNow();
  }

  /** The client's own per-call timeout (Lettuce's, wrapped by Spring as QueryTimeoutException). */
  private static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof org.springframework.dao.QueryTimeoutException
          || c instanceof io.lettuce.core.RedisCommandTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
