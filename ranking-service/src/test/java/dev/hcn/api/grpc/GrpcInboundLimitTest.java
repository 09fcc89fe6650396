package dev.hcn.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/** Payloads the server refuses before the ranking service sees them. */
@ScriptedGrpcTest
@TestPropertySource(
    properties = {
      "hcn.grpc.max-inbound-message-size=1MB",
      // 1 MB carries 100,000 ids at their widest (10 bytes each), not the default 200,000.
      "hcn.ranking.max-candidates=100000"
    })
class GrpcInboundLimitTest extends GrpcChannelTest {

  @Autowired MeterRegistry meters;

  private static RankRequest withCandidates(int count) {
    ItemIds.Builder ids = ItemIds.newBuilder();
    for (long i = 0; i < count; i++) {
      ids.addIds(Long.MAX_VALUE - i);
    }
    return RankRequest.newBuilder().setUserId("u").setK(1).setCandidates(ids).build();
  }

  @Test
  void messageOverTheConfiguredSizeIsResourceExhausted() {
    RankRequest request = withCandidates(200_000);
    assertThat(request.getSerializedSize()).isGreaterThan(1024 * 1024);

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                RankingGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .rank(request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void messageUnderTheConfiguredSizeIsServed() {
    RankRequest request = withCandidates(100_000);
    assertThat(request.getSerializedSize()).isLessThan(1024 * 1024);

    assertThat(
            RankingGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .rank(request)
                .getCandidatesScored())
        .isEqualTo(100_000);
  }

  @Test
  void unparsableMessageIsInvalidArgument() {
    // Field 2 (candidates) announced as 100 bytes long, but the message ends after 2.
    byte[] garbage = {0x12, 100, 1, 2};

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    rawRank(),
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    garbage));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("hcn.ranking.v1.RankRequest");
    assertThat(GrpcTestClient.errorType(e)).contains("malformed-body");
  }

  @Test
  void aMessageRefusedByTheTransportIsCountedAndAnAnsweredOneIsNot() throws InterruptedException {
    double before = unanswered(Status.Code.RESOURCE_EXHAUSTED);
    var stub = RankingGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    // Answered by the service (one candidate over the limit): counted by the service, not here.
    catchThrowableOfType(StatusRuntimeException.class, () -> stub.rank(withCandidates(100_001)));
    // Refused by gRPC itself before any of our code runs.
    catchThrowableOfType(StatusRuntimeException.class, () -> stub.rank(withCandidates(200_000)));

    // The stream closes on the transport's thread, after the client has its answer.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (unanswered(Status.Code.RESOURCE_EXHAUSTED) < before + 1 && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    Thread.sleep(200);
    assertThat(unanswered(Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(before + 1);
  }

  private double unanswered(Status.Code code) {
    var counter = meters.find("hcn.grpc.unanswered").tag("code", code.name()).counter();
    return counter == null ? 0 : counter.count();
  }

  private static MethodDescriptor<byte[], byte[]> rawRank() {
    MethodDescriptor.Marshaller<byte[]> bytes =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
          }

          @Override
          public byte[] parse(InputStream stream) {
            try {
              return stream.readAllBytes();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };
    return RankingGrpc.getRankMethod().toBuilder(bytes, bytes).build();
  }
}
