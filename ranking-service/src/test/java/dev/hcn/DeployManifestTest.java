package dev.hcn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.ranking.DrainProperties;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifest drains as the service expects: a preStop pause, a grace period that
 * covers the pause, the readiness drain and in-flight requests, a disruption budget and a CPU
 * autoscaler that select this Deployment; probes on the management port, which the Service leaves
 * out.
 */
class DeployManifestTest {

  private static final Path MANIFEST = Path.of("../deploy/k8s/ranking.yaml");

  @Test
  void terminationCoversThePreStopPauseTheDrainAndInFlightRequests() throws IOException {
    Map<String, Object> deployment = only("Deployment");
    Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
    Map<String, Object> container = map(list(pod, "containers").getFirst());
    List<?> command = list(map(map(map(container, "lifecycle"), "preStop"), "exec"), "command");
    assertThat(command.getFirst()).isEqualTo("sleep");
    long preStop = Long.parseLong(command.get(1).toString());
    assertThat(preStop).isPositive();
    // The default of hcn.drain.readiness-delay, as the service binds it with nothing configured.
    long drain =
        new Binder(new MapConfigurationPropertySource())
            .bindOrCreate("hcn.drain", DrainProperties.class)
            .readinessDelay()
            .toSeconds();
    long inFlight = 30; // spring.lifecycle.timeout-per-shutdown-phase default
    assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
        .isGreaterThanOrEqualTo(preStop + drain + inFlight);
  }

  @Test
  void aDisruptionBudgetAndACpuAutoscalerTargetTheDeployment() throws IOException {
    Map<String, Object> deployment = only("Deployment");
    Object labels = map(map(deployment, "spec"), "selector").get("matchLabels");
    Map<String, Object> pdb = only("PodDisruptionBudget");
    assertThat(map(map(pdb, "spec"), "selector").get("matchLabels")).isEqualTo(labels);
    assertThat(map(pdb, "spec")).containsKey("maxUnavailable");

    Map<String, Object> hpa = only("HorizontalPodAutoscaler");
    Map<String, Object> spec = map(hpa, "spec");
    assertThat(map(spec, "scaleTargetRef"))
        .containsEntry("kind", "Deployment")
        .containsEntry("name", map(deployment, "metadata").get("name"));
    assertThat(((Number) spec.get("minReplicas")).intValue()).isGreaterThanOrEqualTo(2);
    Map<String, Object> metric = map(list(spec, "metrics").getFirst());
    assertThat(map(metric, "resource")).containsEntry("name", "cpu");
  }

  @Test
  void probesUseTheManagementPortAndTheServicePublishesOnlyTheApis() throws IOException {
    Map<String, Object> container =
        map(
            list(map(map(map(only("Deployment"), "spec"), "template"), "spec"), "containers")
                .getFirst());
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Object port : list(container, "ports")) {
      ports.put(
          (String) map(port).get("name"), ((Number) map(port).get("containerPort")).intValue());
    }
    int managementPort = managementPort();
    assertThat(ports).containsEntry("management", managementPort);
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      assertThat(map(map(container, probe), "httpGet"))
          .as(probe)
          .containsEntry("port", "management");
    }
    List<Object> published = new ArrayList<>();
    for (Object port : list(map(only("Service"), "spec"), "ports")) {
      published.add(map(port).get("port"));
      published.add(map(port).get("targetPort"));
    }
    assertThat(published)
        .isNotEmpty()
        .doesNotContain("management", managementPort)
        .contains("http", "grpc");
  }

  @Test
  void theAutoscalerAloneSetsTheReplicaCount() throws IOException {
    // A replica count in the Deployment would reset the autoscaler's on every kubectl apply.
    assertThat(map(only("Deployment"), "spec")).doesNotContainKey("replicas");
  }

  /** {@code management.server.port} as the service's application.yml sets it. */
  private static int managementPort() throws IOException {
    try (var in = DeployManifestTest.class.getResourceAsStream("/application.yml")) {
      Map<String, Object> application = new Yaml().load(in);
      return ((Number) map(map(application, "management"), "server").get("port")).intValue();
    }
  }

  private static Map<String, Object> only(String kind) throws IOException {
    List<Map<String, Object>> found = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(MANIFEST)) {
      for (Object doc : new Yaml().loadAll(in)) {
        if (doc instanceof Map<?, ?> m && kind.equals(m.get("kind"))) {
          found.add(map(m));
        }
      }
    }
    assertThat(found).as("%s documents in %s", kind, MANIFEST).hasSize(1);
    return found.getFirst();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    return map(parent.get(key));
  }

  private static List<?> list(Map<String, Object> parent, String key) {
    assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
    return (List<?>) parent.get(key);
  }
}
