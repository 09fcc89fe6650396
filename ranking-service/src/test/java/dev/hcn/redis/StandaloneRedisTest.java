package dev.hcn.redis;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.containers.GenericContainer;

/**
 * The Redis contract against one Redis server: Testcontainers' Redis through
 * {@code @ServiceConnection} when a Docker engine answers, else a {@code redis-server} the harness
 * starts on a free loopback port. Never skipped: with neither, it fails.
 */
@Import(StandaloneRedisTest.Containers.class)
class StandaloneRedisTest extends RedisContract {

  static final boolean DOCKER = ContainerRedis.dockerAvailable();
  static final int CONTAINER_PORT = DOCKER ? ContainerRedis.freePort() : 0;

  @DynamicPropertySource
  static void localRedis(DynamicPropertyRegistry registry) {
    if (!DOCKER) {
      registry.add("spring.data.redis.host", () -> "127.0.0.1");
      registry.add("spring.data.redis.port", () -> LocalRedis.standalone().port());
    }
  }

  @Autowired ObjectProvider<GenericContainer<?>> container;

  @Override
  RedisControl control() {
    return DOCKER
        ? new ContainerRedis(container.getObject(), CONTAINER_PORT)
        : LocalRedis.standalone();
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Containers {

    @Bean
    @ServiceConnection(name = "redis")
    @Conditional(DockerAnswers.class)
    GenericContainer<?> redisContainer() {
      return ContainerRedis.container(CONTAINER_PORT);
    }
  }

  static class DockerAnswers implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return DOCKER;
    }
  }
}
