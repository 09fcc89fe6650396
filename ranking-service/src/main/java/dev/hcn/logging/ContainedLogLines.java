package dev.hcn.logging;

import ch.qos.logback.classic.PatternLayout;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Makes every log line the service writes, its frameworks' included, keep caller text inside its
 * event ({@link LogLines}): logback's message words ({@code %m}, {@code %msg}, {@code %message})
 * become {@link ContainedMessageConverter}, and Spring Boot's exception word becomes {@value
 * #EXCEPTION_WORD} ({@link ContainedThrowableConverter}), as a default that configuration can still
 * override. {@link LogSafe} stays the first defence for text that the service logs itself; this is
 * the one for text it never sees (framework messages and the exceptions they log).
 *
 * <p>It runs as an environment post-processor because those run before Spring Boot configures
 * logging from the prepared environment, which is when the layouts parse their patterns; the
 * defaults of logback's pattern words are process-wide, like the logging system itself.
 */
final class ContainedLogLines implements EnvironmentPostProcessor, Ordered {

  /** The conversion word for exceptions; Spring Boot's own is {@code %wEx}. */
  static final String EXCEPTION_WORD = "%containedWEx";

  private static final String EXCEPTION_PROPERTY = "logging.exception-conversion-word";

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    if (!ClassUtils.isPresent("ch.qos.logback.classic.PatternLayout", null)) {
      return;
    }
    install();
    environment
        .getPropertySources()
        .addLast(
            new MapPropertySource("containedLogLines", Map.of(EXCEPTION_PROPERTY, EXCEPTION_WORD)));
  }

  /** Registers the contained converters as the defaults of their pattern words (idempotent). */
  static void install() {
    for (String word : new String[] {"m", "msg", "message"}) {
      PatternLayout.DEFAULT_CONVERTER_SUPPLIER_MAP.put(word, ContainedMessageConverter::new);
    }
    PatternLayout.DEFAULT_CONVERTER_SUPPLIER_MAP.put(
        EXCEPTION_WORD.substring(1), ContainedThrowableConverter::new);
  }

  /** Early, so that the default is in place whichever post-processor logs first. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
