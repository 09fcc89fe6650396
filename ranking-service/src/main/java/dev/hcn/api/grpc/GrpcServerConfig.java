package dev.hcn.api.grpc;

import io.grpc.ServerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/** Server-level settings of the gRPC API, applied on top of Spring gRPC's own properties. */
@Configuration(proxyBeanMethods = false)
class GrpcServerConfig {

  /**
   * Spring gRPC applies its property mapper before the customizer beans, so this value wins over
   * {@code spring.grpc.server.max-inbound-message-size}.
   */
  @Bean
  <T extends ServerBuilder<T>> ServerBuilderCustomizer<T> hcnInboundMessageSize(
      GrpcApiProperties properties) {
    int bytes = Math.toIntExact(properties.maxInboundMessageSize().toBytes());
    return builder -> builder.maxInboundMessageSize(bytes);
  }
}
