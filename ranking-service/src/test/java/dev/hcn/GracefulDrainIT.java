package dev.hcn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar as a real process under REST and gRPC load, sent SIGTERM: readiness must go DOWN
 * (503) while requests are still answered, a REST request whose body is still arriving when the
 * listeners close and a gRPC call whose message arrives only after the gRPC port has closed must
 * both finish, no request may fail or see its connection reset, and the process must exit. Clients
 * stop sending shortly after they see readiness DOWN, as a balancer would.
 */
class GracefulDrainIT {

  private static final Duration READINESS_DELAY = Duration.ofSeconds(3);
  private static final HttpClient HTTP = PackagedService.HTTP;

  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong answeredWhileDraining = new AtomicLong();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean stop = new AtomicBoolean();

  @Test
  void sigtermTakesReadinessDownFirstAndFailsNoRequest() throws Exception {
    PackagedService service =
        PackagedService.start(
            "graceful-drain-it.log",
            PackagedService.REQUIRED_JVM_OPTIONS,
            "--hcn.drain.readiness-delay=" + READINESS_DELAY.toMillis() + "ms");
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("localhost", service.grpc).usePlaintext().build();
    try {
      service.awaitReady(Duration.ofSeconds(120));
      URI rank = URI.create("http://localhost:" + service.http + "/v1/rank");
      var grpc = RankingGrpc.newBlockingStub(channel);
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        clients.add(client("rest-" + i, () -> rest(rank)));
        clients.add(client("grpc-" + i, () -> grpc(grpc)));
      }
      clients.forEach(Thread::start);
      while (answered.get() < 200 && failures.isEmpty()) {
        Thread.sleep(10);
      }

      service.process.destroy(); // SIGTERM
      long sigterm = System.nanoTime();
      int readiness;
      while ((readiness = service.readiness()) == 200) {
        Thread.sleep(20);
      }
      draining.set(true);
      long downAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
      // Started now, its body keeps arriving until after the listeners have closed.
      CompletableFuture<HttpResponse<String>> slow =
          HTTP.sendAsync(
              HttpRequest.newBuilder(rank)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () ->
                              trickle(
                                  "{\"userId\": \"42\", \"k\": 10}",
                                  READINESS_DELAY.plusSeconds(2))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // A gRPC call opened now (its stream exists on the server) whose request comes later.
      HeldCall<RankRequest, RankResponse> slowGrpc =
          HeldCall.open(
              channel,
              RankingGrpc.getRankMethod(),
              CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
      Thread.sleep(500); // a balancer's reaction time: requests keep coming for a moment
      stop.set(true);
      for (Thread client : clients) {
        client.join(10_000);
      }
      boolean grpcPortClosed = awaitClosed(service.grpc, Duration.ofSeconds(30));
      slowGrpc.send(RankRequest.newBuilder().setUserId("42").setK(10).build());

      HttpResponse<String> slowAnswer = slow.get(30, TimeUnit.SECONDS);
      RankResponse slowGrpcAnswer = slowGrpc.answer(Duration.ofSeconds(30));
      assertThat(service.process.waitFor(60, TimeUnit.SECONDS)).as("process exited").isTrue();
      assertThat(failures).isEmpty();
      assertThat(readiness).as("readiness once not UP").isEqualTo(503);
      assertThat(downAfterMs).as("readiness DOWN soon after SIGTERM").isLessThan(2_000);
      assertThat(answeredWhileDraining.get()).as("answers while readiness was DOWN").isPositive();
      assertThat(slowAnswer.statusCode()).isEqualTo(200);
      assertThat(slowAnswer.body()).contains("\"items\"");
      assertThat(grpcPortClosed).as("gRPC port closed while the call was open").isTrue();
      assertThat(slowGrpcAnswer.getItemsCount()).isEqualTo(10);
      assertThat(service.process.exitValue()).as("exit status after SIGTERM").isIn(0, 143);
    } finally {
      stop.set(true);
      channel.shutdownNow();
      service.process.destroyForcibly();
    }
  }

  private Thread client(String name, Runnable call) {
    return Thread.ofPlatform()
        .name(name)
        .unstarted(
            () -> {
              while (!stop.get()) {
                try {
                  call.run();
                  answered.incrementAndGet();
                  if (draining.get()) {
                    answeredWhileDraining.incrementAndGet();
                  }
                } catch (RuntimeException e) {
                  failures.add(name + ": " + e);
                  return;
                }
              }
            });
  }

  private static void rest(URI rank) {
    try {
      var answer =
          HTTP.send(
              HttpRequest.newBuilder(rank)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"42\", \"k\": 100}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + answer.statusCode() + ": " + answer.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void grpc(RankingGrpc.RankingBlockingStub stub) {
    stub.withDeadlineAfter(10, TimeUnit.SECONDS)
        .rank(RankRequest.newBuilder().setUserId("42").setK(100).build());
  }

  /**
   * Waits until {@code port} refuses new connections; false if it still accepts after {@code max}.
   */
  private static boolean awaitClosed(int port, Duration max) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < until) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("localhost", port), 1_000);
      } catch (IOException refused) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** A stream that yields {@code body} one byte at a time spread over {@code over}. */
  private static InputStream trickle(String body, Duration over) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long pauseMs = over.toMillis() / bytes.length;
    return new InputStream() {
      private int next;

      @Override
      public int read() throws IOException {
        if (next >= bytes.length) {
          return -1;
        }
        try {
          Thread.sleep(pauseMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        return bytes[next++];
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int c = read();
        if (c < 0) {
          return -1;
        }
        b[off] = (byte) c;
        return 1;
      }
    };
  }
}
