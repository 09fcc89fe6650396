package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hcn.HeldCall;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The per-connection stream limit reaches the real Netty server: with {@code
 * hcn.grpc.max-concurrent-calls-per-connection=1}, a second call on a connection whose one stream
 * is open waits until that stream ends, and runs then.
 */
@ScriptedGrpcTest
@TestPropertySource(properties = {"hcn.grpc.max-concurrent-calls-per-connection=1"})
class GrpcConcurrentStreamsTest extends GrpcChannelTest {

  private static final RankRequest REQUEST =
      RankRequest.newBuilder().setUserId("u").setK(1).build();

  @Test
  void aSecondCallWaitsForTheOneOpenStream() throws Exception {
    // Holds the connection's one stream: started, its message not sent yet.
    HeldCall<RankRequest, RankResponse> open =
        HeldCall.open(
            channel,
            RankingGrpc.getRankMethod(),
            CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
    var stub = RankingGrpc.newBlockingStub(channel);

    // The server allows one stream, so the client holds this one back until its deadline.
    StatusRuntimeException waited =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub.withDeadlineAfter(1, TimeUnit.SECONDS).rank(REQUEST));
    assertThat(waited).as("the second call ran beside the open stream").isNotNull();
    assertThat(waited.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

    open.send(REQUEST);
    assertThat(open.answer(Duration.ofSeconds(10)).getModelName()).isEqualTo("scripted");
    // The stream is free again.
    assertThat(stub.withDeadlineAfter(10, TimeUnit.SECONDS).rank(REQUEST).getModelName())
        .isEqualTo("scripted");
  }
}
