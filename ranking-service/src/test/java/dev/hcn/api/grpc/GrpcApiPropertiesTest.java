package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class GrpcApiPropertiesTest {

  private static GrpcApiProperties bind(java.util.Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("hcn.grpc", GrpcApiProperties.class);
  }

  @Test
  void defaultInboundSizeIsEightMegabytes() {
    assertThat(bind(java.util.Map.of()).maxInboundMessageSize()).isEqualTo(DataSize.ofMegabytes(8));
  }

  @Test
  void inboundSizeIsConfigurable() {
    assertThat(
            bind(java.util.Map.of("hcn.grpc.max-inbound-message-size", "32MB"))
                .maxInboundMessageSize())
        .isEqualTo(DataSize.ofMegabytes(32));
  }

  @Test
  void inboundSizeTooSmallForOneHundredThousandCandidatesIsRefused() {
    assertThatThrownBy(() -> new GrpcApiProperties(DataSize.ofKilobytes(512)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hcn.grpc.max-inbound-message-size");
  }
}
