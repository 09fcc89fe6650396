package dev.hcn.history;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The default history source: the bundle's demo histories behind a Caffeine cache. */
@Configuration(proxyBeanMethods = false)
class HistoryConfiguration {

  @Bean
  HistorySource historySource(HistoryProperties properties, MeterRegistry registry) {
    var embedded = EmbeddedHistorySource.read(Path.of(properties.embeddedPath()));
    return new CachingHistorySource(
        embedded, properties.cache().maxSize(), properties.cache().ttl(), registry);
  }
}
