package dev.hcn.ranking;

import dev.hcn.model.ModelProperties;
import java.nio.file.Path;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Loads, verifies and warms the bundle once the server is up, and only then installs it and
 * declares the application ready. Until then readiness refuses traffic and ranking answers
 * NOT_READY. A bad bundle throws here, which stops start-up.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ModelStartup implements ApplicationRunner {

  private final ModelActivator activator;
  private final ModelProperties properties;
  private final ApplicationEventPublisher events;

  ModelStartup(
      ModelActivator activator, ModelProperties properties, ApplicationEventPublisher events) {
    this.activator = activator;
    this.properties = properties;
    this.events = events;
  }

  @Override
  public void run(ApplicationArguments args) {
    AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    activator.activate(Path.of(properties.bundlePath()), ModelActivator.Action.STARTUP);
    AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
  }
}
