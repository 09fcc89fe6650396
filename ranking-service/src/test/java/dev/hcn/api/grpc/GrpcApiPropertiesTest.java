package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.events.EventsProperties;
import dev.hcn.ranking.RankingProperties;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class GrpcApiPropertiesTest {

  private static <T> T bind(String prefix, Class<T> type, Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate(prefix, type);
  }

  private static GrpcApiProperties grpc(Map<String, String> values) {
    return bind("hcn.grpc", GrpcApiProperties.class, values);
  }

  private static RankingProperties ranking(Map<String, String> values) {
    return bind("hcn.ranking", RankingProperties.class, values);
  }

  private static final EventsProperties EVENTS = new EventsProperties(1000, Duration.ofDays(1));

  @Test
  void defaultsBoundTheTransport() {
    GrpcApiProperties p = grpc(Map.of());
    assertThat(p.maxInboundMessageSize()).isNull();
    assertThat(p.maxInboundMetadataSize()).isEqualTo(DataSize.ofKilobytes(8));
    assertThat(p.maxConcurrentCallsPerConnection()).isEqualTo(256);
    assertThat(p.maxConnectionAge()).isEqualTo(Duration.ofMinutes(30));
    assertThat(p.maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void unsetInboundSizeFollowsTheCandidateLimit() {
    int standard = GrpcMessageLimit.inboundBytes(grpc(Map.of()), ranking(Map.of()), EVENTS);
    // 200,000 candidates and 1,000 history ids at 10 bytes each, plus 64 KB of headroom.
    assertThat(standard).isEqualTo(10 * 201_000 + 64 * 1024);
    int larger =
        GrpcMessageLimit.inboundBytes(
            grpc(Map.of()), ranking(Map.of("hcn.ranking.max-candidates", "1000000")), EVENTS);
    assertThat(larger).isEqualTo(10 * 1_001_000 + 64 * 1024);
  }

  @Test
  void configuredInboundSizeIsKeptWhenItCarriesTheCandidates() {
    var p = grpc(Map.of("hcn.grpc.max-inbound-message-size", "32MB"));
    assertThat(GrpcMessageLimit.inboundBytes(p, ranking(Map.of()), EVENTS))
        .isEqualTo(32 * 1024 * 1024);
  }

  @Test
  void configuredInboundSizeTooSmallForTheCandidateLimitIsRefused() {
    var p = grpc(Map.of("hcn.grpc.max-inbound-message-size", "1MB"));
    assertThatThrownBy(() -> GrpcMessageLimit.inboundBytes(p, ranking(Map.of()), EVENTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hcn.grpc.max-inbound-message-size")
        .hasMessageContaining("hcn.ranking.max-candidates=200000");
  }

  @Test
  void nonsenseValuesAreRefused() {
    assertThatThrownBy(
            () ->
                new GrpcApiProperties(
                    DataSize.ofBytes(10),
                    DataSize.ofKilobytes(8),
                    256,
                    Duration.ofMinutes(1),
                    Duration.ZERO))
        .hasMessageContaining("hcn.grpc.max-inbound-message-size");
    assertThatThrownBy(
            () ->
                new GrpcApiProperties(
                    null, DataSize.ofKilobytes(8), 256, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("hcn.grpc.max-connection-age");
  }
}
