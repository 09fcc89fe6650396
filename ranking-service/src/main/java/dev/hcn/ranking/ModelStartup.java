package dev.hcn.ranking;

import dev.hcn.model.BundleLoader;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelProperties;
import dev.hcn.model.ModelRegistry;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Loads, validates and warms the bundle once the server is up, and only then installs it and
 * declares the application ready. Until then readiness refuses traffic and ranking answers
 * NOT_READY. A bad bundle throws here, which stops start-up.
 */
@Component
class ModelStartup implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(ModelStartup.class);

  private final BundleLoader loader;
  private final ModelRegistry registry;
  private final DefaultRankingService service;
  private final RankingMetrics metrics;
  private final ModelProperties properties;
  private final ApplicationEventPublisher events;

  ModelStartup(
      BundleLoader loader,
      ModelRegistry registry,
      DefaultRankingService service,
      RankingMetrics metrics,
      ModelProperties properties,
      ApplicationEventPublisher events) {
    this.loader = loader;
    this.registry = registry;
    this.service = service;
    this.metrics = metrics;
    this.properties = properties;
    this.events = events;
  }

  @Override
  public void run(ApplicationArguments args) {
    AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    long start = System.nanoTime();
    Path path = Path.of(properties.bundlePath());
    ModelBundle bundle = loader.load(path);
    try {
      service.warmUp(bundle, properties.warmupRuns());
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
    registry.install(bundle);
    metrics.modelInfo(bundle.info().name(), bundle.info().version());
    log.info(
        "serving bundle {} {} from {} ({} items, n={}, D={}); loaded and warmed in {} ms",
        bundle.info().name(),
        bundle.info().version(),
        bundle.directory(),
        bundle.info().items(),
        bundle.info().interests(),
        bundle.info().dim(),
        (System.nanoTime() - start) / 1_000_000);
    AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
  }
}
