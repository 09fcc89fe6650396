package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ForwardingServerBuilder;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The installer on its own, on servers built the way Spring gRPC builds them (from {@code
 * ServerCredentials}, which freezes grpc-java's negotiator): a Netty server answers a broken stream
 * with the guard's status, and any other server is refused rather than run unguarded.
 */
class FrameGuardInstallerTest {

  private final TransportOutcomes outcomes = new TransportOutcomes(new SimpleMeterRegistry());

  @Test
  void aNettyServerBuiltFromCredentialsAnswersWithTheGuardsStatus() throws Exception {
    NettyServerBuilder builder = NettyServerBuilder.forPort(0, InsecureServerCredentials.create());
    FrameGuardInstaller.installOn(builder, 1024, outcomes);
    Server server = builder.build().start();
    try (RawGrpc grpc = new RawGrpc(server.getPort())) {
      Map<String, String> headers = RawGrpc.grpcHeaders("/any.Service/Method");
      headers.put("content-type", "text/plain");
      RawGrpc.Answer answer = grpc.exchange(headers, new byte[] {0, 0, 0, 0, 0});
      assertThat(answer.httpStatus()).isEqualTo("415");
      assertThat(answer.grpcStatus()).as("gRPC's own answer would be 13").isEqualTo(3);
      assertThat(GrpcTestClient.errorType(answer.asStatus())).contains("invalid-request");
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void anyOtherServerIsRefusedRatherThanRunUnguarded() {
    ServerBuilder<?> other = new OtherServerBuilder();
    assertThatThrownBy(() -> FrameGuardInstaller.installOn(other, 1024, outcomes))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("grpc-netty");
  }

  /** A server builder of no kind the guard knows (as grpc-netty-shaded's would be). */
  private static final class OtherServerBuilder
      extends ForwardingServerBuilder<OtherServerBuilder> {
    @Override
    protected ServerBuilder<?> delegate() {
      return NettyServerBuilder.forPort(0, InsecureServerCredentials.create());
    }
  }
}
