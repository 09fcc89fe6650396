package dev.hcn.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

class RankingModelHealthIndicatorTest {

  @Test
  void outOfServiceUntilABundleServesThenUpWithItsVersion() {
    ModelRegistry registry = new ModelRegistry();
    var indicator = new RankingModelHealthIndicator(registry);
    assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    registry.install(TestBundles.load());
    try {
      var health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails())
          .containsEntry("version", registry.current().orElseThrow().version());
    } finally {
      registry.close();
    }
  }
}
