package dev.hcn.loadtest;

import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankResponse;
import dev.hcn.api.grpc.v1.RankingGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load for the ranking service over REST or gRPC: requests leave on a fixed schedule
 * whatever the server's answers, and each latency runs from the scheduled start, so queueing shows
 * in the percentiles.
 *
 * <pre>
 * java -cp loadtest/target/hcn-cli.jar dev.hcn.loadtest.LoadGenerator \
 *     --api grpc --target localhost:9090 --rate 200 --duration-s 30 --k 100
 * java -cp loadtest/target/hcn-cli.jar dev.hcn.loadtest.LoadGenerator \
 *     --api rest --target http://localhost:8080 --rate 200 --duration-s 30 --k 100
 * </pre>
 */
public final class LoadGenerator {

  /**
   * @param api {@code grpc} or {@code rest}
   * @param target {@code host:port} for gRPC, a base URL for REST
   * @param rate requests per second
   * @param durationS measured seconds
   * @param warmupS seconds of the same load before measuring (results discarded)
   * @param k items per request
   * @param users user ids, used in turn; every request ranks the whole catalogue
   * @param deadlineMs per-request deadline (gRPC deadline, REST timeout)
   * @param json print one JSON line instead of text
   */
  record Options(
      String api,
      String target,
      double rate,
      int durationS,
      int warmupS,
      int k,
      List<String> users,
      long deadlineMs,
      boolean json) {

    static Options parse(String... args) {
      String api = "grpc";
      String target = null;
      double rate = 100;
      int durationS = 30;
      int warmupS = 5;
      int k = 100;
      List<String> users = List.of("42");
      long deadlineMs = 1_000;
      boolean json = false;
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (name.equals("--json")) {
          json = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        String value = args[++i];
        switch (name) {
          case "--api" -> api = value;
          case "--target" -> target = value;
          case "--rate" -> rate = Double.parseDouble(value);
          case "--duration-s" -> durationS = Integer.parseInt(value);
          case "--warmup-s" -> warmupS = Integer.parseInt(value);
          case "--k" -> k = Integer.parseInt(value);
          case "--users" -> users = Arrays.stream(value.split(",")).map(String::strip).toList();
          case "--deadline-ms" -> deadlineMs = Long.parseLong(value);
          default -> throw new IllegalArgumentException("unknown option: " + name);
        }
      }
      if (!api.equals("grpc") && !api.equals("rest")) {
        throw new IllegalArgumentException("--api must be grpc or rest, was " + api);
      }
      if (target == null) {
        target = api.equals("grpc") ? "localhost:9090" : "http://localhost:8080";
      }
      if (rate <= 0 || durationS <= 0 || warmupS < 0 || k <= 0 || deadlineMs <= 0) {
        throw new IllegalArgumentException(
            "--rate, --duration-s, --k and --deadline-ms must be positive, --warmup-s not negative");
      }
      if (users.isEmpty() || users.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException("--users needs at least one non-empty user id");
      }
      return new Options(api, target, rate, durationS, warmupS, k, users, deadlineMs, json);
    }
  }

  /** Sends request {@code slot} without waiting and records its outcome when it completes. */
  interface Sender extends AutoCloseable {
    void send(int slot, String user, long scheduledNanos, LatencyRecorder recorder);

    @Override
    void close();
  }

  private LoadGenerator() {}

  public static void main(String[] args) throws InterruptedException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    try (Sender sender = options.api().equals("grpc") ? grpc(options) : rest(options)) {
      if (options.warmupS() > 0) {
        run(sender, options, options.warmupS());
      }
      LatencyRecorder.Summary summary = run(sender, options, options.durationS());
      String label = options.api() + " k=" + options.k() + " rate=" + options.rate();
      PrintStream out = System.out;
      out.print(options.json() ? summary.json(label) : summary.text(label));
    }
  }

  /** One open-loop run of {@code seconds} at the configured rate. */
  static LatencyRecorder.Summary run(Sender sender, Options options, int seconds)
      throws InterruptedException {
    int count = (int) Math.round(options.rate() * seconds);
    LatencyRecorder recorder = new LatencyRecorder(count);
    double interval = 1e9 / options.rate();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long scheduled = start + Math.round(i * interval);
      long wait;
      while ((wait = scheduled - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      sender.send(i, options.users().get(i % options.users().size()), scheduled, recorder);
    }
    long sentFor = Math.max(1, System.nanoTime() - start);
    // Give the last requests their deadline plus a margin to finish; what does not is an error.
    long drainEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.deadlineMs() + 5_000);
    while (recorder.completed() < count && System.nanoTime() < drainEnd) {
      Thread.sleep(5);
    }
    for (int missing = count - recorder.completed(); missing > 0; missing--) {
      recorder.failure("unfinished");
    }
    return recorder.summary(count, sentFor);
  }

  static Sender grpc(Options options) {
    ManagedChannel channel =
        Grpc.newChannelBuilder(options.target(), InsecureChannelCredentials.create()).build();
    RankingGrpc.RankingStub stub = RankingGrpc.newStub(channel);
    return new Sender() {
      @Override
      public void send(int slot, String user, long scheduledNanos, LatencyRecorder recorder) {
        RankRequest request = RankRequest.newBuilder().setUserId(user).setK(options.k()).build();
        stub.withDeadlineAfter(options.deadlineMs(), TimeUnit.MILLISECONDS)
            .rank(
                request,
                new StreamObserver<>() {
                  @Override
                  public void onNext(RankResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    recorder.failure(Status.fromThrowable(t).getCode().name());
                  }

                  @Override
                  public void onCompleted() {
                    recorder.success(slot, System.nanoTime() - scheduledNanos);
                  }
                });
      }

      @Override
      public void close() {
        channel.shutdownNow();
      }
    };
  }

  static Sender rest(Options options) {
    // HTTP/1.1: the service speaks plain HTTP/1.1, so skip the h2c upgrade attempt.
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    URI uri = URI.create(options.target().replaceAll("/+$", "") + "/v1/rank");
    return new Sender() {
      @Override
      public void send(int slot, String user, long scheduledNanos, LatencyRecorder recorder) {
        String body =
            "{\"userId\":\""
                + user.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"k\":"
                + options.k()
                + "}";
        HttpRequest request =
            HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMillis(options.deadlineMs()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        client
            .sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (response, error) -> {
                  if (error != null) {
                    Throwable cause =
                        error instanceof CompletionException && error.getCause() != null
                            ? error.getCause()
                            : error;
                    recorder.failure(cause.getClass().getSimpleName());
                  } else if (response.statusCode() != 200) {
                    recorder.failure("HTTP_" + response.statusCode());
                  } else {
                    recorder.success(slot, System.nanoTime() - scheduledNanos);
                  }
                });
      }

      @Override
      public void close() {
        // HttpClient.close() needs Java 21; this jar targets 17, and its threads are daemons.
      }
    };
  }
}
