package dev.hcn;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar ({@code hcn.jar}, set by failsafe) as a real process on free ports, serving the
 * committed ml-1m bundle, its output in a log file under {@code target/}.
 */
final class PackagedService implements AutoCloseable {

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** The JVM options every start needs: the Vector API and ONNX Runtime's native access. */
  static final List<String> REQUIRED_JVM_OPTIONS =
      List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");

  /** The service's own option file, as {@code make run} and the Dockerfile pass it. */
  static final String DEPLOYED_JVM_OPTIONS =
      "@" + Path.of("../deploy/jvm.options").toAbsolutePath();

  final int http;
  final int grpc;
  final int management;
  final Path log;
  final Process process;

  private PackagedService(int http, int grpc, int management, Path log, Process process) {
    this.http = http;
    this.grpc = grpc;
    this.management = management;
    this.log = log;
    this.process = process;
  }

  static PackagedService start(String logName, List<String> jvmOptions, String... appArguments)
      throws IOException {
    int http = freePort();
    int grpc = freePort();
    int management = freePort();
    Path log = Path.of("target", logName);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-jar",
            Path.of(System.getProperty("hcn.jar")).toString(),
            "--server.port=" + http,
            "--spring.grpc.server.port=" + grpc,
            "--management.server.port=" + management,
            "--hcn.model.bundle-path="
                + Path.of("../model-artifacts/bundles/hcn-ml1m").toAbsolutePath()));
    command.addAll(List.of(appArguments));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new PackagedService(http, grpc, management, log, process);
  }

  /** Waits for readiness UP; fails if the process exits first or {@code limit} passes. */
  void awaitReady(Duration limit) throws InterruptedException {
    long until = System.nanoTime() + limit.toNanos();
    while (readiness() != 200) {
      if (!process.isAlive()) {
        throw new AssertionError("service exited with " + process.exitValue() + "; log " + log);
      }
      if (System.nanoTime() > until) {
        throw new AssertionError("not ready within " + limit + "; log " + log);
      }
      Thread.sleep(100);
    }
  }

  /** The readiness probe's status, or -1 while nothing answers. */
  int readiness() {
    try {
      return get(management, "/actuator/health/readiness").statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  HttpResponse<String> get(int port, String path, String... headers) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(5));
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  String logText() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
