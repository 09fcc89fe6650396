package dev.hcn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.history.HistoryProperties;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Static checks of {@code docker-compose.yml} against the service's own configuration: every
 * environment variable of the ranking service is a real property and binds to what the other
 * services use (Redis host and port, key prefix, bundle), the start order is guarded by health, and
 * the ports and probes are the ones the service listens on.
 */
class RankingComposeFileTest {

  private static Map<String, Object> services;
  private static Map<String, Object> application;
  private static Set<String> knownProperties;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void read() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Map<String, Object> compose =
        new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
    services = (Map<String, Object>) compose.get("services");
    try (InputStream in = RankingComposeFileTest.class.getResourceAsStream("/application.yml")) {
      application = new Yaml().load(in);
    }
    knownProperties = new HashSet<>();
    JsonMapper json = JsonMapper.builder().build();
    for (URL url :
        Collections.list(
            RankingComposeFileTest.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        for (JsonNode p : json.readTree(in).path("properties")) {
          knownProperties.add(canonical(p.get("name").asString()));
        }
      }
    }
  }

  @Test
  void theRankingServiceRunsOnTheRedisSourceOfTheRedisService() {
    Map<String, String> env = environment("ranking");
    for (String name : env.keySet()) {
      if (name.startsWith("HCN_") || name.startsWith("SPRING_")) {
        assertThat(knownProperties)
            .as(name + " is a configuration property")
            .contains(canonical(name));
      }
    }
    Binder binder = binder(env);
    HistoryProperties history = binder.bindOrCreate("hcn.history", HistoryProperties.class);
    assertThat(history.source()).isEqualTo(HistoryProperties.Source.REDIS);
    String host = binder.bind("spring.data.redis.host", String.class).get();
    int port = binder.bind("spring.data.redis.port", Integer.class).get();
    assertThat(services).containsKey(host);
    assertThat(service(host).get("ports").toString()).contains(port + ":" + port);
    assertThat(String.join(" ", healthcheck(host))).contains("-p " + port).contains("ping");

    List<String> importer = command("importer");
    assertThat(argument(importer, "--host")).isEqualTo(host);
    assertThat(argument(importer, "--port")).isEqualTo(Integer.toString(port));
    assertThat(argument(importer, "--prefix")).isEqualTo(history.keyPrefix());
    assertThat(argument(importer, "--bundle"))
        .isEqualTo(binder.bind("hcn.model.bundle-path", String.class).get());
  }

  @Test
  void startOrderIsGuardedByHealthAndTheOneShotImport() {
    assertThat(condition("importer", "redis")).isEqualTo("service_healthy");
    assertThat(condition("ranking", "redis")).isEqualTo("service_healthy");
    assertThat(condition("ranking", "importer")).isEqualTo("service_completed_successfully");
    assertThat(service("importer").get("restart")).isEqualTo("no");
  }

  @Test
  void portsAndProbesAreTheOnesTheServiceListensOn() throws IOException {
    int http = (Integer) path(application, "server", "port");
    Object management = path(application, "management", "server", "port");
    int probes = management == null ? http : (Integer) management;
    String ports = service("ranking").get("ports").toString();
    assertThat(ports).contains(http + ":" + http).contains("9090:9090");
    assertThat(condition("prometheus", "ranking")).isEqualTo("service_healthy");
    // The ranking image brings its own HEALTHCHECK unless the compose file overrides it.
    String probe =
        service("ranking").containsKey("healthcheck")
            ? String.join(" ", healthcheck("ranking"))
            : Files.readString(Path.of("../Dockerfile").toAbsolutePath());
    assertThat(probe)
        .contains("/dev/tcp/127.0.0.1/" + probes + " ")
        .contains("/actuator/health/readiness");
    assertThat(ports).contains(probes + ":" + probes);
    String prometheus =
        Files.readString(Path.of("../deploy/prometheus/prometheus.yml").toAbsolutePath());
    assertThat(prometheus).contains("\"ranking:" + probes + "\"");
  }

  @Test
  void theImageIsBuiltForTheHistorySourceItRunsOn() throws IOException {
    Object args = path(service("ranking"), "build", "args");
    assertThat(args).as("build args of ranking").isInstanceOf(Map.class);
    assertThat(String.valueOf(((Map<?, ?>) args).get("HCN_HISTORY_SOURCE")))
        .isEqualTo(environment("ranking").get("HCN_HISTORY_SOURCE"));
    // Both stages take it: the build stage's Spring AOT processing and the runtime stage's AOT
    // cache training run, which must start on the source the context was built for.
    String dockerfile = Files.readString(Path.of("../Dockerfile").toAbsolutePath());
    List<String> stages = List.of(dockerfile.split("(?m)^FROM ")).subList(1, 3);
    assertThat(stages.get(0)).contains("package");
    assertThat(stages.get(1)).contains("AOTCacheOutput");
    for (String stage : stages) {
      assertThat(stage).containsPattern("(?m)^ARG HCN_HISTORY_SOURCE$");
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /**
   * Relaxed-binding form: {@code HCN_HISTORY_KEYPREFIX} and {@code hcn.history.key-prefix} meet.
   */
  private static String canonical(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  private static Binder binder(Map<String, String> env) {
    StandardEnvironment environment = new StandardEnvironment();
    MutablePropertySources sources = environment.getPropertySources();
    sources.forEach(s -> sources.remove(s.getName()));
    sources.addFirst(
        new SystemEnvironmentPropertySource(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            Map.<String, Object>copyOf(env)));
    return new Binder(ConfigurationPropertySources.get(environment));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(String name) {
    assertThat(services).containsKey(name);
    return (Map<String, Object>) services.get(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(String name) {
    Map<String, Object> env = (Map<String, Object>) service(name).get("environment");
    Map<String, String> out = new java.util.HashMap<>();
    env.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<String> healthcheck(String name) {
    Map<String, Object> check = (Map<String, Object>) service(name).get("healthcheck");
    assertThat(check).as(name + " has a healthcheck").isNotNull();
    return ((List<Object>) check.get("test")).stream().map(String::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<String> command(String name) {
    return ((List<Object>) service(name).get("command")).stream().map(String::valueOf).toList();
  }

  private static String argument(List<String> command, String flag) {
    int i = command.indexOf(flag);
    assertThat(i).as(flag + " in " + command).isNotNegative();
    return command.get(i + 1);
  }

  @SuppressWarnings("unchecked")
  private static String condition(String service, String on) {
    Map<String, Object> depends = (Map<String, Object>) service(service).get("depends_on");
    assertThat(depends).as(service + " depends on " + on).containsKey(on);
    return String.valueOf(((Map<String, Object>) depends.get(on)).get("condition"));
  }

  @SuppressWarnings("unchecked")
  private static Object path(Map<String, Object> map, String... keys) {
    Object at = map;
    for (String k : keys) {
      if (!(at instanceof Map<?, ?> m) || !m.containsKey(k)) {
        return null;
      }
      at = ((Map<String, Object>) m).get(k);
    }
    return at;
  }
}
