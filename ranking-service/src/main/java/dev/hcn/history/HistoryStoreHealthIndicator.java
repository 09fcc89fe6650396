package dev.hcn.history;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code historyStore} health: which source serves, and for Redis whether it answers a PING and the
 * breaker's state. Not part of readiness: without the store ranking degrades, it does not stop.
 */
@Component
class HistoryStoreHealthIndicator implements HealthIndicator {

  private final HistoryProperties properties;
  private final ObjectProvider<RedisHistoryStore> redis;
  private final ObjectProvider<ResilientHistoryReader> reader;

  HistoryStoreHealthIndicator(
      HistoryProperties properties,
      ObjectProvider<RedisHistoryStore> redis,
      ObjectProvider<ResilientHistoryReader> reader) {
    this.properties = properties;
    this.redis = redis;
    this.reader = reader;
  }

  @Override
  public Health health() {
    RedisHistoryStore store = redis.getIfAvailable();
    if (store == null) {
      return Health.up().withDetail("source", "embedded").build();
    }
    Health.Builder health;
    try {
      String pong = store.ping();
      health = "PONG".equalsIgnoreCase(pong) ? Health.up() : Health.down().withDetail("ping", pong);
    } catch (RuntimeException e) {
      health = Health.down().withDetail("error", e.getClass().getSimpleName());
    }
    health.withDetail("source", "redis").withDetail("keyPrefix", properties.keyPrefix());
    ResilientHistoryReader r = reader.getIfAvailable();
    if (r != null) {
      health.withDetail("breaker", r.breakerState().name());
    }
    return health.build();
  }
}
