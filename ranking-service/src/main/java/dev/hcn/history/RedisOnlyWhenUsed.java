package dev.hcn.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Leaves Spring Boot's Redis auto-configuration out unless {@code hcn.history.source} is {@code
 * redis}: with the embedded source nothing uses Redis, and its client resources (Netty event loops,
 * a connection factory, health and observation beans) cost about 6 % of start-up. Decided from the
 * environment at start, so the same build serves either source; excludes the user configured are
 * kept.
 */
final class RedisOnlyWhenUsed implements EnvironmentPostProcessor, Ordered {

  static final String EXCLUDE = "spring.autoconfigure.exclude";

  private static final String PACKAGE = "org.springframework.boot.data.redis.autoconfigure.";

  /** Spring Boot's Redis auto-configurations (spring-boot-data-redis). */
  static final List<String> REDIS_AUTO_CONFIGURATIONS =
      List.of(
          PACKAGE + "DataRedisAutoConfiguration",
          PACKAGE + "DataRedisReactiveAutoConfiguration",
          PACKAGE + "DataRedisRepositoriesAutoConfiguration",
          PACKAGE + "health.DataRedisHealthContributorAutoConfiguration",
          PACKAGE + "health.DataRedisReactiveHealthContributorAutoConfiguration",
          PACKAGE + "observation.LettuceObservationAutoConfiguration");

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    String source = environment.getProperty("hcn.history.source", "embedded");
    if (source.trim().toLowerCase(Locale.ROOT).equals("redis")) {
      return;
    }
    List<String> excluded =
        new ArrayList<>(
            Binder.get(environment).bind(EXCLUDE, Bindable.listOf(String.class)).orElse(List.of()));
    excluded.addAll(REDIS_AUTO_CONFIGURATIONS);
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "hcnRedisOnlyWhenUsed", Map.of(EXCLUDE, String.join(",", excluded))));
  }

  /**
   * After the configuration files are read, which may set the source; just before {@code
   * aot.AotGuard}, which compares the excludes this leaves with those of the build.
   */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE - 1;
  }
}
