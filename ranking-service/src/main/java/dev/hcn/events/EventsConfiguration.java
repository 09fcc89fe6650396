package dev.hcn.events;

import dev.hcn.history.HistoryReader;
import dev.hcn.history.RedisHistoryStore;
import dev.hcn.model.ModelRegistry;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Ingestion writes to the Redis store; with the embedded source (read-only demo histories) every
 * batch is refused as {@code ingestion-disabled}.
 */
@Configuration(proxyBeanMethods = false)
class EventsConfiguration {

  @Bean
  EventSink eventSink(
      ObjectProvider<RedisHistoryStore> store,
      ObjectProvider<CircuitBreaker> breaker,
      HistoryReader reader,
      ModelRegistry registry,
      EventsProperties limits,
      RankingProperties ranking) {
    RedisHistoryStore redis = store.getIfAvailable();
    if (redis == null) {
      return events -> {
        throw new RankingException(
            ErrorType.INGESTION_DISABLED,
            "events are stored only with hcn.history.source=redis; this service reads the"
                + " bundle's demo histories");
      };
    }
    return new EventIngestion(
        redis, reader, breaker.getObject(), registry, limits, ranking, Clock.systemUTC());
  }
}
