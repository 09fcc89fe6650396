package dev.hcn.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Open-loop load for the ranking service over REST or gRPC (see {@link LoadOptions#USAGE}):
 * requests leave on a fixed schedule whatever the server answers; every latency is recorded from
 * the intended send time and from the actual send; the run is judged against an objective ({@code
 * --slo p99=10ms}), and {@code --find-max} steps the rate up to the highest one that meets it.
 *
 * <pre>
 * java -jar loadtest/target/hcn-cli.jar load --api grpc --rate 200 --duration 30s \
 *     --candidates 10000 --bundle model-artifacts/bundles/synthetic-200k --slo p99=10ms --out results
 * </pre>
 */
public final class LoadGenerator {

  static final int OK = 0;
  static final int SLO_MISSED = 1;
  static final int BAD_USAGE = 2;
  static final int CANNOT_RUN = 3;

  /** Pause between --find-max steps, so that one step's backlog does not spill into the next. */
  static final long STEP_PAUSE_MS = 1_000;

  private LoadGenerator() {}

  public static void main(String[] args) {
    // Netty's Unsafe buffers gain a load generator little, and JDK 25 warns about them.
    System.setProperty("io.grpc.netty.shaded.io.netty.noUnsafe", "true");
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (LoadOptions.wantsHelp(args)) {
      out.print(LoadOptions.USAGE);
      return OK;
    }
    LoadOptions o;
    try {
      o = LoadOptions.parse(args);
    } catch (Args.UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(LoadOptions.USAGE);
      return BAD_USAGE;
    }
    try {
      Workload workload = Workload.of(o);
      try (Sender sender = sender(o, workload)) {
        if (sender instanceof GrpcSender grpc && !grpc.connect()) {
          err.println("error: UNAVAILABLE: cannot connect to " + o.target() + " within 10 s");
          return CANNOT_RUN;
        }
        OpenLoop loop =
            new OpenLoop(
                sender,
                o.maxInFlight(),
                o.deadlineMs(),
                o.quiet() ? null : err,
                o.poissonArrivals() ? o.seed() : null);
        ServerMetrics metrics = o.metricsUrl() == null ? null : new ServerMetrics(o.metricsUrl());
        // The ramp belongs to the first phase: the warm-up, or without one the first measured run.
        Duration measuredRamp = o.warmup().isZero() ? o.ramp() : Duration.ZERO;
        if (!o.warmup().isZero()) {
          loop.run(o.rate(), o.warmup(), o.ramp(), "warm-up");
        }
        if (o.findMax()) {
          // find-max's first step is at --rate.
          return findMax(
              o,
              rate ->
                  once(
                      loop,
                      metrics,
                      o,
                      rate,
                      rate == o.rate() ? measuredRamp : Duration.ZERO,
                      o.name() + "-at-" + Report.number(rate),
                      out),
              out);
        }
        boolean met = true;
        for (int i = 1; i <= o.runs(); i++) {
          String name = o.runs() == 1 ? o.name() : o.name() + "-" + i;
          Duration ramp = i == 1 ? measuredRamp : Duration.ZERO;
          met &= once(loop, metrics, o, o.rate(), ramp, name, out).sloMet();
        }
        return met ? OK : SLO_MISSED;
      }
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return CANNOT_RUN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return CANNOT_RUN;
    }
  }

  static Sender sender(LoadOptions o, Workload workload) {
    return o.api().equals("grpc")
        ? new GrpcSender(o.target(), workload, o.k(), o.deadlineMs())
        : new RestSender(o.target(), workload, o.k(), o.deadlineMs());
  }

  /** One measured run at {@code rate}: printed, and written to {@code --out} when given. */
  static Report.Run once(
      OpenLoop loop,
      ServerMetrics metrics,
      LoadOptions o,
      double rate,
      Duration ramp,
      String name,
      PrintStream out)
      throws IOException, InterruptedException {
    ServerMetrics.Scrape before = metrics == null ? null : metrics.scrape();
    OpenLoop.Result result = loop.run(rate, o.duration(), ramp, "run");
    ServerMetrics.Delta server =
        metrics == null ? null : ServerMetrics.delta(before, metrics.scrape());
    List<Slo.Verdict> verdicts =
        o.slo() == null ? null : o.slo().judge(result.intended(), result.sent());
    Report.Run run = new Report.Run(name, o.describe(), result, verdicts, server);
    out.print(o.json() ? Report.json(run) + System.lineSeparator() : Report.text(run));
    if (o.out() != null) {
      List<Path> files = Report.write(o.out(), run);
      if (!o.json()) {
        out.println("wrote " + files);
      }
    }
    out.flush();
    return run;
  }

  /**
   * Runs {@code --rate}, {@code --rate + step}, ... until a rate misses the objective or {@code
   * --max-rate} is passed; the answer is the highest rate that met it.
   */
  /** One measured step of {@code --find-max}. */
  interface Step {
    Report.Run at(double rate) throws IOException, InterruptedException;
  }

  static int findMax(LoadOptions o, Step step, PrintStream out)
      throws IOException, InterruptedException {
    Double best = null;
    Report.Run missed = null;
    for (double rate = o.rate(); rate <= o.maxRate() + 1e-9; rate += o.rateStep()) {
      Report.Run run = step.at(rate);
      if (!run.sloMet()) {
        missed = run;
        break;
      }
      best = rate;
      // Let the server drain before the next step.
      Thread.sleep(STEP_PAUSE_MS);
    }
    String summary =
        best == null
            ? "find-max: no rate from " + Report.number(o.rate()) + "/s met " + o.slo().objectives()
            : "find-max: highest rate meeting the SLO: "
                + Report.number(best)
                + "/s"
                + (missed == null
                    ? " (--max-rate reached)"
                    : "; " + Report.number(missed.result().rate()) + "/s missed it");
    String json =
        "{\"findMax\":"
            + (best == null ? "null" : Report.number(best))
            + ",\"firstMissed\":"
            + (missed == null ? "null" : Report.number(missed.result().rate()))
            + "}";
    out.println(o.json() ? json : summary);
    if (o.out() != null) {
      Files.createDirectories(o.out());
      Files.writeString(
          o.out().resolve(o.name() + "-find-max.json"),
          json + System.lineSeparator(),
          StandardCharsets.UTF_8);
    }
    return best == null ? SLO_MISSED : OK;
  }
}
