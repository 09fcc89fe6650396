package dev.hcn.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Real Redis servers started by the harness on loopback: one standalone server, or a 3-master Redis
 * Cluster ({@code --cluster-enabled yes} x 3 + {@code redis-cli --cluster create}). One of each per
 * test JVM, stopped when it exits.
 */
final class LocalRedis implements RedisControl {

  private static LocalRedis standalone;
  private static LocalRedis cluster;

  private final List<RedisProcess> servers;
  private final boolean clustered;

  private LocalRedis(List<RedisProcess> servers, boolean clustered) {
    this.servers = servers;
    this.clustered = clustered;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> servers.forEach(RedisProcess::stop)));
  }

  static synchronized LocalRedis standalone() {
    if (standalone == null) {
      standalone = new LocalRedis(List.of(RedisProcess.launch()), false);
    }
    return standalone;
  }

  static synchronized LocalRedis cluster() {
    if (cluster == null) {
      List<RedisProcess> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        nodes.add(
            RedisProcess.launch(
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "5000"));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      run(create);
      cluster = new LocalRedis(nodes, true);
      cluster.awaitClusterOk();
    }
    return cluster;
  }

  int port() {
    return servers.getFirst().port();
  }

  /** {@code spring.data.redis.cluster.nodes}. */
  String nodes() {
    return servers.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","));
  }

  @Override
  public void stop() {
    servers.forEach(RedisProcess::stop);
  }

  @Override
  public void start() {
    servers.forEach(RedisProcess::start);
    if (clustered) {
      awaitClusterOk();
    }
  }

  @Override
  public void freeze() {
    servers.forEach(RedisProcess::suspend);
  }

  @Override
  public void thaw() {
    servers.forEach(RedisProcess::resume);
  }

  @Override
  public List<String> importerArgs() {
    List<String> args =
        new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(port())));
    if (clustered) {
      args.add("--cluster");
    }
    return args;
  }

  private void awaitClusterOk() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (RedisProcess s : servers) {
      while (!clusterOk(s.port())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the Redis Cluster did not reach cluster_state:ok");
        }
        RedisProcess.sleep(100);
      }
    }
  }

  private static boolean clusterOk(int port) {
    try {
      return String.valueOf(RespClient.call(port, 1000, "CLUSTER", "INFO"))
          .contains("cluster_state:ok");
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(command + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + " (redis-tools installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
