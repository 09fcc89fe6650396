package dev.hcn.aot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.aot.AotDetector;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.core.SpringProperties;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The guard against a jar's recorded choices, in a class loader that holds only that jar's file.
 */
class AotGuardTest {

  @TempDir Path jar;

  @AfterEach
  void clearFlag() {
    SpringProperties.setProperty(AotDetector.AOT_ENABLED, null);
  }

  private boolean aotAfterGuard(String recorded, Map<String, Object> properties) throws Exception {
    if (recorded != null) {
      Path file = jar.resolve(AotChoices.RESOURCE);
      Files.createDirectories(file.getParent());
      Files.writeString(file, recorded);
    }
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
    SpringApplication application = new SpringApplication();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      application.setResourceLoader(new DefaultResourceLoader(loader));
      SpringProperties.setFlag(AotDetector.AOT_ENABLED);
      new AotGuard(new DeferredLogs()).postProcessEnvironment(environment, application);
    }
    return AotDetector.useGeneratedArtifacts();
  }

  private static String built(Map<String, Object> properties) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("build", properties));
    return AotChoices.of(environment).toText();
  }

  @Test
  void keepsTheAotContextWhenTheChoicesAreTheBuilds() throws Exception {
    Map<String, Object> build = Map.of("hcn.history.source", "embedded");
    assertThat(
            aotAfterGuard(
                built(build),
                Map.of(
                    "hcn.history.source", "embedded", "hcn.admin.token", "t", "server.port", "1")))
        .isTrue();
  }

  @Test
  void startsTheOrdinaryWayWhenAChoiceDiffers() throws Exception {
    String build = built(Map.of("hcn.history.source", "embedded"));
    assertThat(aotAfterGuard(build, Map.of("hcn.history.source", "redis"))).isFalse();
  }

  @Test
  void startsTheOrdinaryWayWhenTheJarWasBuiltWithoutAot() throws Exception {
    assertThat(aotAfterGuard(null, Map.of())).isFalse();
  }

  @Test
  void doesNothingWithoutTheAotFlag() throws Exception {
    StandardEnvironment environment = new StandardEnvironment();
    new AotGuard(new DeferredLogs()).postProcessEnvironment(environment, new SpringApplication());
    assertThat(AotDetector.useGeneratedArtifacts()).isFalse();
  }
}
