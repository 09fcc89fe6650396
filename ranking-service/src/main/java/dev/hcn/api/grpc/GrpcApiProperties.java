package dev.hcn.api.grpc;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the gRPC API that Spring gRPC's own {@code spring.grpc.server.*} properties do not
 * cover or cover with an unsuitable default. The port, health and reflection stay under {@code
 * spring.grpc.server.*}.
 *
 * @param maxInboundMessageSize largest request message accepted; larger ones are refused with
 *     RESOURCE_EXHAUSTED before they are parsed. Upstream recommenders send 100,000+ candidates (up
 *     to 10 bytes each as packed varints), so the default is 8 MB rather than gRPC's 4 MB.
 */
@Validated
@ConfigurationProperties("hcn.grpc")
public record GrpcApiProperties(@NotNull @DefaultValue("8MB") DataSize maxInboundMessageSize) {

  /** 100,000 candidates at the maximum varint width of an int64. */
  static final DataSize MINIMUM_INBOUND = DataSize.ofBytes(100_000L * 10);

  public GrpcApiProperties {
    if (maxInboundMessageSize != null
        && (maxInboundMessageSize.compareTo(MINIMUM_INBOUND) < 0
            || maxInboundMessageSize.toBytes() > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "hcn.grpc.max-inbound-message-size must be between "
              + MINIMUM_INBOUND.toBytes()
              + " bytes (100,000 candidates) and 2 GB, was "
              + maxInboundMessageSize);
    }
  }
}
