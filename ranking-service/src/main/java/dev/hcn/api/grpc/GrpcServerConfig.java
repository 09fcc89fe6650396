package dev.hcn.api.grpc;

import dev.hcn.events.EventsProperties;
import dev.hcn.ranking.RankingProperties;
import io.grpc.ServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/** Server-level settings of the gRPC API, applied on top of Spring gRPC's own properties. */
@Configuration(proxyBeanMethods = false)
class GrpcServerConfig {

  /**
   * Spring gRPC applies its property mapper before the customizer beans, so these values win over
   * {@code spring.grpc.server.max-inbound-message-size} and its keep-alive settings.
   */
  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> hcnInboundMessageSize(
      GrpcApiProperties properties, RankingProperties ranking, EventsProperties events) {
    int bytes = GrpcMessageLimit.inboundBytes(properties, ranking, events);
    int metadata = Math.toIntExact(properties.maxInboundMetadataSize().toBytes());
    return builder -> {
      builder.maxInboundMessageSize(bytes).maxInboundMetadataSize(metadata);
      if (builder instanceof NettyServerBuilder netty) {
        netty
            .maxConcurrentCallsPerConnection(properties.maxConcurrentCallsPerConnection())
            .maxConnectionAge(properties.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
            .maxConnectionAgeGrace(
                properties.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS);
      }
    };
  }

  /**
   * Owns the call threads. Not an {@code Executor} bean, which would make Spring Boot drop its own
   * application task executor.
   */
  record CallPool(ExecutorService executor) implements AutoCloseable {
    @Override
    public void close() {
      executor.shutdown();
    }
  }

  @Bean(destroyMethod = "close")
  CallPool grpcCallPool(GrpcExecutorProperties properties) {
    return new CallPool(
        Executors.newFixedThreadPool(
            properties.effectiveThreads(),
            Thread.ofPlatform().name("grpc-rank-", 0).daemon(true).factory()));
  }

  /** Calls run on the fixed pool sized to the cores (see {@link GrpcExecutorProperties}). */
  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> hcnCallExecutor(CallPool pool) {
    // Timed, so that admission control can refuse calls that waited long for a thread.
    return builder -> builder.executor(new QueueTimedExecutor(pool.executor()));
  }
}
