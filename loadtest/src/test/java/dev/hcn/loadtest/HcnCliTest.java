package dev.hcn.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.hcn.api.grpc.v1.GetModelRequest;
import dev.hcn.api.grpc.v1.GetModelResponse;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankedItem;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client over a real socket against a small gRPC server that answers from a script. */
class HcnCliTest {

  private static Server server;
  private static final AtomicReference<RankRequest> lastRequest = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new Scripted())
            .build()
            .start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Answers user "bad" with INVALID_ARGUMENT, "slow" never, anyone else with two items. */
  static final class Scripted extends RankingGrpc.RankingImplBase {
    private final java.util.function.Consumer<RankRequest> seen;

    Scripted() {
      this(r -> {});
    }

    /** Also hands every request to {@code seen}. */
    Scripted(java.util.function.Consumer<RankRequest> seen) {
      this.seen = seen;
    }

    @Override
    public void rank(RankRequest request, StreamObserver<RankResponse> out) {
      lastRequest.set(request);
      seen.accept(request);
      switch (request.getUserId()) {
        case "bad" ->
            out.onError(
                StatusProto.toStatusRuntimeException(
                    com.google.rpc.Status.newBuilder()
                        .setCode(Status.Code.INVALID_ARGUMENT.value())
                        .setMessage("k: must be between 1 and 1000")
                        .addDetails(
                            Any.pack(ErrorInfo.newBuilder().setReason("k-out-of-range").build()))
                        .build()));
        case "slow" -> {}
        default -> {
          RankResponse.Builder r =
              RankResponse.newBuilder()
                  .setModelName("hcn-ml1m")
                  .setModelVersion("20260101-0badcafe")
                  .setCandidatesScored(3)
                  .setCandidatesUnknown(1);
          r.addItems(item(1193, 2.5f, request.getExplain()));
          r.addItems(item(661, 1.25f, request.getExplain()));
          out.onNext(r.build());
          out.onCompleted();
        }
      }
    }

    private static RankedItem item(long id, float score, boolean explain) {
      RankedItem.Builder item = RankedItem.newBuilder().setItemId(id).setScore(score);
      return (explain ? item.setDominantInterest((int) (id % 8)) : item).build();
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<GetModelResponse> out) {
      out.onNext(
          GetModelResponse.newBuilder()
              .setName("hcn-ml1m")
              .setVersion("20260101-0badcafe")
              .setInterests(8)
              .setDim(48)
              .addUserFeatures("gender")
              .build());
      out.onCompleted();
    }
  }

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        HcnCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String target() {
    return "localhost:" + server.getPort();
  }

  @Test
  void rankPrintsATable() {
    Run run =
        run("rank", "--target", target(), "--user", "42", "--candidates", "1193,661,5", "--k", "2");

    assertThat(run.status()).isZero();
    assertThat(run.out())
        .contains("model hcn-ml1m 20260101-0badcafe | scored 3 | unknown 1")
        .containsPattern("1\\s+1193\\s+2\\.500000")
        .containsPattern("2\\s+661\\s+1\\.250000")
        .doesNotContain("interest");
    RankRequest sent = lastRequest.get();
    assertThat(sent.getUserId()).isEqualTo("42");
    assertThat(sent.getK()).isEqualTo(2);
    assertThat(sent.getCandidates().getIdsList()).containsExactly(1193L, 661L, 5L);
    assertThat(sent.hasHistory()).isFalse();
  }

  @Test
  void rankPrintsJsonLikeRest() {
    Run run = run("rank", "--target", target(), "--user", "42", "--explain", "--json");

    assertThat(run.status()).isZero();
    assertThat(run.out().strip())
        .isEqualTo(
            "{\"model\":{\"name\":\"hcn-ml1m\",\"version\":\"20260101-0badcafe\"},"
                + "\"items\":[{\"itemId\":1193,\"score\":2.5,\"dominantInterest\":1},"
                + "{\"itemId\":661,\"score\":1.25,\"dominantInterest\":5}],"
                + "\"candidatesScored\":3,\"candidatesUnknown\":1,"
                + "\"coldStart\":false,\"fallback\":false}");
    assertThat(lastRequest.get().hasCandidates()).as("whole catalogue").isFalse();
  }

  @Test
  void inlineHistoryAndFeaturesAreSent() {
    run("rank", "--target", target(), "--history", "", "--features", "gender=F");

    RankRequest sent = lastRequest.get();
    assertThat(sent.hasHistory()).isTrue();
    assertThat(sent.getHistory().getIdsCount()).isZero();
    assertThat(sent.getUserFeatures().getValuesMap()).containsEntry("gender", "F");
  }

  @Test
  void grpcErrorIsOneLineAndExitStatusOne() {
    Run run = run("rank", "--target", target(), "--user", "bad");

    assertThat(run.status()).isEqualTo(HcnCli.CALL_FAILED);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip())
        .isEqualTo("error: INVALID_ARGUMENT: k: must be between 1 and 1000 (type=k-out-of-range)");
  }

  @Test
  void missedDeadlineIsReported() {
    Run run = run("rank", "--target", target(), "--user", "slow", "--deadline-ms", "50");

    assertThat(run.status()).isEqualTo(HcnCli.CALL_FAILED);
    assertThat(run.err()).startsWith("error: DEADLINE_EXCEEDED");
  }

  @Test
  void unreachableServerIsReportedAsUnavailable() {
    Run run = run("rank", "--target", "localhost:1", "--user", "42");

    assertThat(run.status()).isEqualTo(HcnCli.CALL_FAILED);
    assertThat(run.err()).startsWith("error: UNAVAILABLE: cannot connect to localhost:1");
  }

  @Test
  void modelPrintsTheBundle() {
    Run run = run("model", "--target", target());

    assertThat(run.status()).isZero();
    assertThat(run.out()).containsPattern("name\\s+hcn-ml1m").containsPattern("dim\\s+48");
  }

  @Test
  void badCommandLineIsExitStatusTwo() {
    Run run = run("rank", "--k", "zero");

    assertThat(run.status()).isEqualTo(HcnCli.BAD_USAGE);
    assertThat(run.err()).startsWith("error: --k must be a whole number").contains("usage:");
  }
}
