package dev.hcn.history;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;

/**
 * A Caffeine cache in front of a slower source. Failures of the source are not cached: they
 * propagate, and the next request asks again.
 */
public final class CachingHistorySource implements HistorySource {

  private final HistorySource delegate;
  private final Cache<String, UserHistory> cache;

  public CachingHistorySource(
      HistorySource delegate, long maxSize, Duration ttl, MeterRegistry registry) {
    this.delegate = delegate;
    this.cache =
        Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(ttl).recordStats().build();
    CaffeineCacheMetrics.monitor(registry, cache, "history");
  }

  @Override
  public UserHistory find(String userId) {
    return cache.get(userId, delegate::find);
  }

  /** Entries currently cached (approximate). */
  public long estimatedSize() {
    return cache.estimatedSize();
  }
}
