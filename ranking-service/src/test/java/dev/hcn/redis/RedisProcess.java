package dev.hcn.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the Debian package) on a free loopback port with its own temporary
 * folder, started and stopped by the test itself. Restarting keeps the port and the folder (a
 * cluster node finds its {@code nodes.conf} again); nothing is persisted otherwise.
 */
final class RedisProcess {

  private final int port;
  private final Path dir;
  private final List<String> extra;
  private Process process;

  private RedisProcess(int port, Path dir, List<String> extra) {
    this.port = port;
    this.dir = dir;
    this.extra = extra;
  }

  /** Starts a server; fails the test (never skips it) when redis-server is not installed. */
  static RedisProcess launch(String... extraArgs) {
    try {
      var server =
          new RedisProcess(freePort(), Files.createTempDirectory("hcn-redis-"), List.of(extraArgs));
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "redis-server");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(
        "redis-server is not installed and no Docker engine answers: the Redis tests cannot run"
            + " (.ci/deps installs the redis-server package)");
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port)));
    command.addAll(
        List.of(
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--enable-debug-command",
            "local",
            "--daemonize",
            "no",
            "--logfile",
            dir.resolve("redis.log").toString()));
    command.addAll(extra);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!RespClient.pings(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "redis-server on port " + port + " did not start; see " + dir);
      }
      sleep(20);
    }
  }

  synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /**
   * Stops the server process (SIGSTOP) and returns once the kernel reports it stopped, so that no
   * command sent afterwards is answered before {@link #resume()}.
   */
  synchronized void suspend() {
    signal("STOP");
    Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!stopped(stat)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server on port " + port + " did not stop");
      }
      sleep(1);
    }
  }

  /** Lets a suspended server run again (SIGCONT). */
  synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " failed for port " + port);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether /proc/PID/stat shows the process stopped by a signal (state T). */
  private static boolean stopped(Path stat) {
    try {
      String line = Files.readString(stat);
      return line.substring(line.lastIndexOf(')') + 2).startsWith("T");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
