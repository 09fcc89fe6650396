package dev.hcn.api.grpc;

import dev.hcn.events.EventSink;
import dev.hcn.events.EventsProperties;
import dev.hcn.ranking.AdmissionProperties;
import dev.hcn.ranking.ErrorType;
import dev.hcn.ranking.RankingException;
import dev.hcn.ranking.RankingMetrics;
import dev.hcn.ranking.RankingProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * The gRPC adapter with Spring gRPC's real Netty server, health and reflection, in front of a
 * {@link ScriptedRankingService} instead of the model.
 */
// A @TestConfiguration, so that the real application's scan skips it and @SpringBootTest classes in
// this package still find the real application. Tests list it with ScriptedRankingService, a plain
// class, in @SpringBootTest(classes = ...), which keeps Boot from adding the real application.
@TestConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableConfigurationProperties({
  GrpcApiProperties.class,
  GrpcExecutorProperties.class,
  RankingProperties.class,
  AdmissionProperties.class,
  EventsProperties.class
})
// Scanned, not imported, as in the real application: Spring gRPC enables health by default only
// when it sees a BindableService bean definition while parsing, which @Import registers too late.
@ComponentScan(
    excludeFilters =
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class))
class ScriptedGrpcApp {

  /** No store behind the scripted service: ingestion is refused as with the embedded source. */
  @Bean
  EventSink scriptedEvents() {
    return events -> {
      throw new RankingException(ErrorType.INGESTION_DISABLED, "no store in the scripted app");
    };
  }

  /** The adapter counts requests it refuses before the service. */
  @Bean
  RankingMetrics rankingMetrics(MeterRegistry registry) {
    return new RankingMetrics(registry);
  }
}
