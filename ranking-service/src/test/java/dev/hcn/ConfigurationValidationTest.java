package dev.hcn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.api.rest.RestProperties;
import dev.hcn.history.HistoryProperties;
import dev.hcn.model.ModelProperties;
import dev.hcn.ranking.RankingProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** The configuration records bind with their documented defaults and refuse invalid values. */
class ConfigurationValidationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    ModelProperties.class,
    HistoryProperties.class,
    RankingProperties.class,
    RestProperties.class
  })
  static class Props {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
          .withUserConfiguration(Props.class);

  @Test
  void defaults() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          var model = context.getBean(ModelProperties.class);
          assertThat(model.bundlePath()).isEqualTo("model-artifacts/bundles/hcn-ml1m");
          assertThat(model.session().intraOpThreads()).isEqualTo(1);
          assertThat(model.session().interOpThreads()).isEqualTo(1);
          assertThat(model.session().allowSpinning()).isFalse();
          var ranking = context.getBean(RankingProperties.class);
          assertThat(ranking.maxK()).isEqualTo(1000);
          assertThat(ranking.maxCandidates()).isEqualTo(200_000);
          assertThat(ranking.maxHistory()).isEqualTo(1000);
          assertThat(context.getBean(RestProperties.class).maxBodySize().toMegabytes())
              .isEqualTo(8);
        });
  }

  @Test
  void invalidValuesStopStartUp() {
    for (String bad :
        new String[] {
          "hcn.model.session.intra-op-threads=0",
          "hcn.model.session.optimization-level=FASTEST",
          "hcn.model.bundle-path= ",
          "hcn.ranking.max-k=0",
          "hcn.ranking.max-candidates=-1",
          "hcn.history.cache.max-size=0"
        }) {
      runner.withPropertyValues(bad).run(context -> assertThat(context).as(bad).hasFailed());
    }
  }
}
