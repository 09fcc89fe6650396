package dev.hcn.aot;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class AotChoicesTest {

  private static StandardEnvironment environment(Map<String, Object> properties) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
    return environment;
  }

  @Test
  void recordsSwitchesTheHistorySourceExcludesAndThePortTypeButNoPlainValue() {
    AotChoices choices =
        AotChoices.of(
            environment(
                Map.of(
                    "hcn.history.source", "redis",
                    "hcn.admin.token", "secret",
                    "hcn.model.bundle-path", "/bundles/a",
                    "springdoc.api-docs.enabled", "false",
                    "spring.autoconfigure.exclude", "a.B,c.D",
                    "management.server.port", "8081",
                    "server.port", "8080",
                    "spring.aot.enabled", "true")));
    assertThat(choices.values())
        .containsEntry("hcn.history.source", "redis")
        .containsEntry("springdoc.api-docs.enabled", "false")
        .containsEntry("spring.autoconfigure.exclude", "a.B,c.D")
        .containsEntry(AotChoices.MANAGEMENT_PORT_TYPE, "DIFFERENT")
        .doesNotContainKeys(
            "hcn.admin.token",
            "hcn.model.bundle-path",
            "management.server.port",
            "server.port",
            "spring.aot.enabled");
  }

  @Test
  void portsMayChangeButNotWhetherManagementHasItsOwn() {
    AotChoices built =
        AotChoices.of(environment(Map.of("server.port", "8080", "management.server.port", "8081")));
    AotChoices otherPorts =
        AotChoices.of(
            environment(Map.of("server.port", "18080", "management.server.port", "18081")));
    AotChoices samePort =
        AotChoices.of(environment(Map.of("server.port", "8080", "management.server.port", "8080")));
    assertThat(built.differenceFrom(otherPorts)).isEmpty();
    assertThat(built.differenceFrom(samePort))
        .hasValue("management.server.port(type) is 'SAME' but the build was made with 'DIFFERENT'");
  }

  @Test
  void anEnvironmentVariableCountsAsItsPropertyAndAListAsItsElements() {
    StandardEnvironment fromVariables = environment(Map.of());
    fromVariables
        .getPropertySources()
        .addFirst(
            // Spring Boot maps variable names for sources named like the real one.
            new SystemEnvironmentPropertySource(
                "test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of(
                    "HCN_HISTORY_SOURCE", "redis",
                    "SPRING_AUTOCONFIGURE_EXCLUDE_0_", "a.B",
                    "SPRING_AUTOCONFIGURE_EXCLUDE_1_", "c.D")));
    AotChoices fromProperties =
        AotChoices.of(
            environment(
                Map.of("hcn.history.source", "redis", "spring.autoconfigure.exclude", "a.B, c.D")));
    assertThat(AotChoices.of(fromVariables).differenceFrom(fromProperties)).isEmpty();
    assertThat(AotChoices.of(fromVariables).values())
        .containsEntry("spring.autoconfigure.exclude", "a.B,c.D");
  }

  @Test
  void namesTheFirstDifferenceIncludingAChoiceSetOnOnlyOneSide() {
    AotChoices built = AotChoices.of(environment(Map.of("hcn.history.source", "embedded")));
    assertThat(
            built.differenceFrom(AotChoices.of(environment(Map.of("hcn.history.source", "redis")))))
        .hasValue("hcn.history.source is 'redis' but the build was made with 'embedded'");
    assertThat(
            built.differenceFrom(
                AotChoices.of(
                    environment(
                        Map.of(
                            "hcn.history.source",
                            "embedded",
                            "spring.threads.virtual.enabled",
                            "false")))))
        .hasValue("spring.threads.virtual.enabled is 'false' but the build was made with unset");
    assertThat(built.differenceFrom(AotChoices.of(environment(Map.of()))))
        .hasValue("hcn.history.source is unset but the build was made with 'embedded'");
  }

  @Test
  void theTextFormReadsBackAsTheSameChoicesAndIsStable() {
    AotChoices choices =
        AotChoices.of(
            environment(
                Map.of(
                    "management.endpoints.web.exposure.include", "health, info",
                    "spring.autoconfigure.exclude", "a.B=x:y\\z",
                    "management.health.redis.enabled", "false")));
    String text = choices.toText();
    assertThat(text).doesNotContain("#");
    assertThat(AotChoices.parse(text)).isEqualTo(choices);
    assertThat(AotChoices.parse(text).toText()).isEqualTo(text);
  }

  /**
   * The choices name {@code hcn.history.source} as the service's only bean condition: a new
   * {@code @Conditional…} in the service's code must be added to {@link AotChoices} (and here), or
   * a Spring AOT build would fix it without {@link AotGuard} noticing.
   */
  @Test
  void theHistorySourceIsTheServicesOnlyBeanCondition() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .withImportOption(location -> !location.contains("__"))
            .importPackages("dev.hcn");
    List<String> conditional =
        classes.stream()
            .flatMap(
                c ->
                    java.util.stream.Stream.concat(
                        c.getAnnotations().stream()
                            .map(a -> c.getName() + " " + a.getRawType().getName()),
                        c.getMethods().stream()
                            .flatMap(
                                m ->
                                    m.getAnnotations().stream()
                                        .map(
                                            a ->
                                                m.getFullName() + " " + a.getRawType().getName()))))
            .filter(s -> s.matches(".* org\\.springframework\\..*Conditional.*"))
            .sorted()
            .toList();
    assertThat(conditional)
        .containsExactly(
            "dev.hcn.history.HistoryConfiguration$Embedded"
                + " org.springframework.boot.autoconfigure.condition.ConditionalOnProperty",
            "dev.hcn.history.HistoryConfiguration$Redis"
                + " org.springframework.boot.autoconfigure.condition.ConditionalOnProperty");
    assertThat(AotChoices.isChoice(AotChoices.HISTORY_SOURCE)).isTrue();
  }
}
