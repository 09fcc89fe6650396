package dev.hcn.loadtest;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.hcn.api.grpc.v1.GetModelRequest;
import dev.hcn.api.grpc.v1.ItemIds;
import dev.hcn.api.grpc.v1.RankRequest;
import dev.hcn.api.grpc.v1.RankingGrpc;
import dev.hcn.api.grpc.v1.UserFeatures;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Calls the ranking service's gRPC API from the shell: {@code java -jar loadtest/target/hcn-cli.jar
 * rank --user 42 --k 10}. See {@link CliArgs#USAGE}.
 */
public final class HcnCli {

  static final int OK = 0;
  static final int CALL_FAILED = 1;
  static final int BAD_USAGE = 2;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private HcnCli() {}

  public static void main(String[] args) {
    // A one-shot call gains nothing from Netty's Unsafe buffers, and JDK 25 warns about them.
    System.setProperty("io.grpc.netty.shaded.io.netty.noUnsafe", "true");
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && args[0].equals("load")) {
      return LoadGenerator.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    CliArgs cli;
    try {
      cli = CliArgs.parse(args);
    } catch (Args.UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(CliArgs.USAGE);
      return BAD_USAGE;
    }
    if (cli.command() == CliArgs.Command.HELP) {
      out.print(CliArgs.USAGE);
      return OK;
    }
    ManagedChannel channel =
        Grpc.newChannelBuilder(cli.target(), InsecureChannelCredentials.create())
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    try {
      if (!connect(channel)) {
        err.println(
            "error: UNAVAILABLE: cannot connect to "
                + cli.target()
                + " within "
                + CONNECT_TIMEOUT.toSeconds()
                + " s");
        return CALL_FAILED;
      }
      // The request is built before the deadline starts: it is the call that --deadline-ms bounds.
      RankRequest request = cli.command() == CliArgs.Command.RANK ? request(cli) : null;
      RankingGrpc.RankingBlockingStub stub =
          RankingGrpc.newBlockingStub(channel)
              .withDeadlineAfter(cli.deadlineMs(), TimeUnit.MILLISECONDS);
      if (request == null) {
        var model = stub.getModel(GetModelRequest.getDefaultInstance());
        out.print(cli.json() ? Printer.json(model) : Printer.table(model));
      } else {
        var response = stub.rank(request);
        out.print(cli.json() ? Printer.json(response) : Printer.table(response));
      }
      return OK;
    } catch (StatusRuntimeException e) {
      err.println(errorLine(e));
      return CALL_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return CALL_FAILED;
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * Opens the connection before the call, so that --deadline-ms measures the call as an upstream
   * service with a warm channel sees it, not this JVM's start-up and TCP handshake.
   */
  static boolean connect(ManagedChannel channel) throws InterruptedException {
    long end = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    ConnectivityState state = channel.getState(true);
    while (state != ConnectivityState.READY) {
      long left = end - System.nanoTime();
      if (state == ConnectivityState.TRANSIENT_FAILURE
          || state == ConnectivityState.SHUTDOWN
          || left <= 0) {
        return false;
      }
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      changed.await(left, TimeUnit.NANOSECONDS);
      state = channel.getState(true);
    }
    return true;
  }

  static RankRequest request(CliArgs cli) {
    RankRequest.Builder request = RankRequest.newBuilder().setK(cli.k()).setExplain(cli.explain());
    if (cli.userId() != null) {
      request.setUserId(cli.userId());
    }
    if (cli.candidates() != null) {
      request.setCandidates(ids(cli.candidates()));
    }
    if (cli.history() != null) {
      request.setHistory(ids(cli.history()));
    }
    if (cli.features() != null) {
      request.setUserFeatures(UserFeatures.newBuilder().putAllValues(cli.features()));
    }
    return request.build();
  }

  private static ItemIds ids(long[] ids) {
    ItemIds.Builder out = ItemIds.newBuilder();
    for (long id : ids) {
      out.addIds(id);
    }
    return out.build();
  }

  /** One line: the status code, the server's description and the stable error type and field. */
  static String errorLine(StatusRuntimeException e) {
    StringBuilder line = new StringBuilder("error: ").append(e.getStatus().getCode());
    if (e.getStatus().getDescription() != null) {
      line.append(": ").append(e.getStatus().getDescription());
    }
    List<String> tags = new ArrayList<>();
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      for (var any : details.getDetailsList()) {
        try {
          if (any.is(ErrorInfo.class)) {
            tags.add("type=" + any.unpack(ErrorInfo.class).getReason());
          } else if (any.is(BadRequest.class)) {
            any.unpack(BadRequest.class)
                .getFieldViolationsList()
                .forEach(v -> tags.add("field=" + v.getField()));
          }
        } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
          // A detail we cannot read adds nothing to the line.
        }
      }
    }
    if (!tags.isEmpty()) {
      line.append(" (").append(String.join(", ", tags)).append(')');
    }
    return line.toString();
  }
}
