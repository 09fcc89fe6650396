package dev.hcn.api.grpc;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the gRPC API that Spring gRPC's own {@code spring.grpc.server.*} properties do not
 * cover or cover with an unsuitable default; these win over Spring gRPC's equivalents. The port,
 * health and reflection stay under {@code spring.grpc.server.*}.
 *
 * @param maxInboundMessageSize largest request message accepted; larger ones are refused with
 *     RESOURCE_EXHAUSTED before they are parsed. Unset, it is sized to the request limits ({@link
 *     GrpcMessageLimit}: the largest rank request {@code hcn.ranking.max-candidates} allows, about
 *     2 MB by default); set, it must still carry that many candidates
 * @param maxInboundMetadataSize largest header block (metadata) of a call; gRPC's own default, made
 *     explicit
 * @param maxConcurrentCallsPerConnection most calls in flight on one connection (HTTP/2 streams);
 *     gRPC allows unlimited. 256 covers a multiplexing upstream client; one connection cannot queue
 *     unbounded work beyond it
 * @param maxConnectionAge how long a connection lives before the server asks the client to
 *     reconnect (gRPC adds 10% jitter): long-lived connections are rebalanced onto new replicas and
 *     per-connection state is bounded. gRPC's default is never
 * @param maxConnectionAgeGrace how long calls in flight may finish once a connection is retired;
 *     ranking calls take milliseconds, 30 s also covers slow deadlines
 */
@Validated
@ConfigurationProperties("hcn.grpc")
public record GrpcApiProperties(
    DataSize maxInboundMessageSize,
    @NotNull @DefaultValue("8KB") DataSize maxInboundMetadataSize,
    @DefaultValue("256") @Min(1) @Max(100_000) int maxConcurrentCallsPerConnection,
    @NotNull @DefaultValue("30m") Duration maxConnectionAge,
    @NotNull @DefaultValue("30s") Duration maxConnectionAgeGrace) {

  public GrpcApiProperties {
    if (maxInboundMessageSize != null
        && (maxInboundMessageSize.toBytes() < 1024
            || maxInboundMessageSize.toBytes() > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "hcn.grpc.max-inbound-message-size must be between 1 KB and 2 GB, was "
              + maxInboundMessageSize);
    }
    if (maxInboundMetadataSize != null
        && (maxInboundMetadataSize.toBytes() < 1024
            || maxInboundMetadataSize.toBytes() > 1024 * 1024)) {
      throw new IllegalArgumentException(
          "hcn.grpc.max-inbound-metadata-size must be between 1 KB and 1 MB, was "
              + maxInboundMetadataSize);
    }
    if (maxConnectionAge != null && !maxConnectionAge.isPositive()) {
      throw new IllegalArgumentException("hcn.grpc.max-connection-age must be positive");
    }
    if (maxConnectionAgeGrace != null && maxConnectionAgeGrace.isNegative()) {
      throw new IllegalArgumentException("hcn.grpc.max-connection-age-grace must not be negative");
    }
  }
}
