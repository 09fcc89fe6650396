package dev.hcn.model;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** {@code rankingModel} health: UP with name and version once a warmed bundle serves. */
@Component
class RankingModelHealthIndicator implements HealthIndicator {

  private final ModelRegistry registry;

  RankingModelHealthIndicator(ModelRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Health health() {
    return registry
        .current()
        .map(
            b ->
                Health.up()
                    .withDetail("name", b.name())
                    .withDetail("version", b.version())
                    .withDetail("items", b.itemCount())
                    .build())
        .orElseGet(() -> Health.outOfService().withDetail("reason", "model not loaded").build());
  }
}
