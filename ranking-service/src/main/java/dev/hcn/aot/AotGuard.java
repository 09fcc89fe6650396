package dev.hcn.aot;

import java.util.Optional;
import org.apache.commons.logging.Log;
import org.springframework.aot.AotDetector;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.SpringProperties;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Uses the Spring AOT context ({@code -Dspring.aot.enabled=true}) only where it is the context this
 * configuration would build: when the jar holds one and its {@link AotChoices} are this start's.
 * Otherwise it logs why and starts the ordinary way, which evaluates every condition now: slower
 * (docs/startup.md), never wrong. A start with the history source changed to Redis therefore gets
 * Redis, with or without the flag.
 *
 * <p>Switching works because Spring Boot asks {@link AotDetector} only after the environment is
 * prepared: when it creates the context and when it looks for the generated initializer.
 */
final class AotGuard implements EnvironmentPostProcessor, Ordered {

  private final Log log;

  AotGuard(DeferredLogFactory logs) {
    this.log = logs.getLog(AotGuard.class);
  }

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    if (!AotDetector.useGeneratedArtifacts()) {
      return;
    }
    Optional<AotChoices> built = AotChoices.recorded(application.getClassLoader());
    Optional<String> reason =
        built.isEmpty()
            ? Optional.of("this jar was built without Spring AOT processing")
            : built.get().differenceFrom(AotChoices.of(environment));
    reason.ifPresent(
        why -> {
          log.warn("Starting without the Spring AOT context (a slower start): " + why);
          SpringProperties.setFlag(AotDetector.AOT_ENABLED, false);
        });
  }

  /** Last, so that it sees the environment every other post-processor has left. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
