package dev.hcn.redis;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Redis in a Testcontainers container, used when a Docker engine answers. The host port is fixed
 * when the container is created, so that stopping and starting the container (the restart test)
 * keeps the address the service was configured with.
 */
final class ContainerRedis implements RedisControl {

  static final DockerImageName IMAGE = DockerImageName.parse("redis:7.2");

  private final GenericContainer<?> container;
  private final int hostPort;

  ContainerRedis(GenericContainer<?> container, int hostPort) {
    this.container = container;
    this.hostPort = hostPort;
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A not yet started container; Spring's Testcontainers support starts it. */
  static GenericContainer<?> container(int hostPort) {
    return new GenericContainer<>(IMAGE)
        .withExposedPorts(6379)
        .withCommand(
            "redis-server", "--save", "", "--appendonly", "no", "--enable-debug-command", "yes")
        .withCreateContainerCmdModifier(
            cmd ->
                cmd.getHostConfig()
                    .withPortBindings(
                        new PortBinding(Ports.Binding.bindPort(hostPort), new ExposedPort(6379))));
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void stop() {
    container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void start() {
    container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!RespClient.pings(hostPort)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the Redis container did not come back");
      }
      RedisProcess.sleep(50);
    }
  }

  /** Pauses the container (the cgroup freezer): once the call returns, Redis runs no more. */
  @Override
  public void freeze() {
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void thaw() {
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public List<String> importerArgs() {
    return List.of("--host", container.getHost(), "--port", Integer.toString(hostPort));
  }
}
