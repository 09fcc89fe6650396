package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.ConnectivityState;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The connection age reaches the real Netty server: a connection older than {@code
 * hcn.grpc.max-connection-age} is retired by the server (GOAWAY) though the client keeps it, so
 * that an L4 balancer gets to spread long-lived clients again, and the next call simply reconnects.
 */
@ScriptedGrpcTest
@TestPropertySource(
    properties = {"hcn.grpc.max-connection-age=300ms", "hcn.grpc.max-connection-age-grace=200ms"})
class GrpcConnectionAgeTest extends GrpcChannelTest {

  private void rankOnce() {
    assertThat(
            RankingGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .rank(RankRequest.newBuilder().setUserId("u").setK(1).build())
                .getModelName())
        .isEqualTo("scripted");
  }

  @Test
  void theServerRetiresAnOldConnectionAndTheNextCallReconnects() throws InterruptedException {
    rankOnce();
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);

    // Nothing on the client side closes it: the channel's idle timeout is 30 minutes.
    CountDownLatch left = new CountDownLatch(1);
    channel.notifyWhenStateChanged(ConnectivityState.READY, left::countDown);
    assertThat(left.await(10, TimeUnit.SECONDS)).as("connection retired by the server").isTrue();
    assertThat(channel.getState(false)).isNotEqualTo(ConnectivityState.READY);

    rankOnce();
  }
}
