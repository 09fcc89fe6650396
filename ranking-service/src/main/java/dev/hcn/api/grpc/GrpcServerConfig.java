package dev.hcn.api.grpc;

import dev.hcn.events.EventsProperties;
import dev.hcn.ranking.AdmissionProperties;
import dev.hcn.ranking.RankingProperties;
import io.grpc.DecompressorRegistry;
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
   * Answers broken gRPC streams (request headers, message framing, a message over the inbound
   * limit) as bad input before gRPC's transport answers them with INTERNAL ({@link GrpcFrameGuard},
   * ADR 10).
   */
  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> hcnFrameGuard(
      GrpcApiProperties properties,
      RankingProperties ranking,
      EventsProperties events,
      TransportOutcomes outcomes) {
    int bytes = GrpcMessageLimit.inboundBytes(properties, ranking, events);
    return builder -> FrameGuardInstaller.installOn(builder, bytes, outcomes);
  }

  /**
   * Counts the calls that end before the service answers them (see {@link TransportOutcomes}), and
   * answers a unary call with no message or several as bad input ({@link UnaryMessageCount}, added
   * last so that it runs first, outside the marker: the service never answered such a call).
   */
  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> hcnTransportOutcomes(
      TransportOutcomes outcomes) {
    return builder ->
        builder
            .addStreamTracerFactory(outcomes.tracers())
            .intercept(outcomes.marker())
            .intercept(new UnaryMessageCount());
  }

  /**
   * Request decompression whose broken gzip reaches the service as bad input ({@link LazyGzip}).
   * Spring gRPC applies a registry bean to the server in place of gRPC's default one.
   */
  @Bean
  DecompressorRegistry hcnDecompressors() {
    return LazyGzip.registry();
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

  @Bean(destroyMethod = "close")
  CallQueue grpcCallQueue(
      CallPool pool, GrpcExecutorProperties properties, AdmissionProperties admission) {
    // Timed, so that admission control can refuse calls that waited long for a thread.
    return new CallQueue(
        new QueueTimedExecutor(pool.executor()),
        properties.effectiveMaxQueued(),
        admission.maxQueueWait());
  }

  /**
   * Calls run on the fixed pool sized to the cores (see {@link GrpcExecutorProperties}), placed by
   * the {@link CallQueue} on arrival; only the method lookup before that runs on the transport.
   */
  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> hcnCallExecutor(CallQueue queue) {
    return builder -> builder.executor(queue.lookups()).callExecutor(queue);
  }
}
