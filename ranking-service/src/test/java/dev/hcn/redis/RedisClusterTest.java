package dev.hcn.redis;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same Redis contract against a real 3-master Redis Cluster on loopback, selected by
 * configuration alone ({@code spring.data.redis.cluster.nodes}).
 */
class RedisClusterTest extends RedisContract {

  @DynamicPropertySource
  static void cluster(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.cluster.nodes", () -> LocalRedis.cluster().nodes());
  }

  @Override
  RedisControl control() {
    return LocalRedis.cluster();
  }
}
