package dev.hcn.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Renders a run: the percentile table, JSON, HdrHistogram's .hgrm files and the PNG plot. */
final class Report {

  static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};

  private Report() {}

  /** One rate's run with its verdicts and, when scraped, the server's own time. */
  record Run(
      String name,
      String description,
      OpenLoop.Result result,
      List<Slo.Verdict> verdicts,
      ServerMetrics.Delta server) {

    boolean sloMet() {
      return verdicts == null || Slo.allMet(verdicts);
    }
  }

  static String text(Run run) {
    OpenLoop.Result r = run.result();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%s | rate %s/s for %.1fs%s%n",
            run.description(),
            number(r.rate()),
            r.scheduleNanos() / 1e9,
            r.rampNanos() == 0
                ? ""
                : String.format(Locale.ROOT, ", ramped from 0 over %.1fs", r.rampNanos() / 1e9)));
    out.append(
        String.format(
            Locale.ROOT,
            "sent %d  ok %d (%.1f/s)  errors %s  max send lag %s ms%n",
            r.sent(),
            r.ok(),
            r.achievedRate(),
            r.errors().isEmpty() ? "none" : r.errors(),
            ms(r.maxSendLagNanos())));
    out.append(
        String.format(
            Locale.ROOT, "%-12s %16s %16s%n", "percentile", "intended ms", "actual-send ms"));
    for (double p : PERCENTILES) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-12s %16s %16s%n",
              p == 100 ? "max" : "p" + number(p),
              ms(at(r.intended(), p)),
              ms(at(r.actual(), p))));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%-12s %16s %16s%n",
            "mean",
            ms(Math.round(r.intended().getMean())),
            ms(Math.round(r.actual().getMean()))));
    if (run.server() != null && run.server().requests() > 0) {
      ServerMetrics.Delta s = run.server();
      out.append(
          String.format(
              Locale.ROOT,
              "server mean %s ms over %d requests; client (actual-send) mean minus server mean %s ms%n",
              ms(Math.round(s.meanNanos())),
              s.requests(),
              ms(Math.round(r.actual().getMean() - s.meanNanos()))));
      StringBuilder stages = new StringBuilder("server stages (mean ms):");
      s.stageMeanNanos()
          .forEach(
              (stage, nanos) ->
                  stages.append(' ').append(stage).append(' ').append(ms(Math.round(nanos))));
      out.append(stages).append(System.lineSeparator());
    }
    if (run.verdicts() != null) {
      for (Slo.Verdict v : run.verdicts()) {
        out.append(
            String.format(
                Locale.ROOT,
                "SLO %s (intended): %s, observed %s, %d of %d requests within (%d needed)%n",
                v.objective().label(),
                v.met() ? "met" : "MISSED",
                v.observedNanos() == null ? "a failed request" : ms(v.observedNanos()) + " ms",
                v.withinLimit(),
                r.sent(),
                v.needed()));
      }
    }
    return out.toString();
  }

  static String json(Run run) {
    OpenLoop.Result r = run.result();
    StringBuilder b = new StringBuilder("{");
    field(b, "name", run.name()).append(',');
    field(b, "description", run.description()).append(',');
    b.append("\"rate\":").append(number(r.rate()));
    b.append(",\"durationS\":").append(number(r.scheduleNanos() / 1e9));
    b.append(",\"rampS\":").append(number(r.rampNanos() / 1e9));
    b.append(",\"sent\":").append(r.sent());
    b.append(",\"ok\":").append(r.ok());
    b.append(",\"achievedRate\":").append(number(r.achievedRate()));
    b.append(",\"errors\":{");
    int i = 0;
    for (Map.Entry<String, Long> e : r.errors().entrySet()) {
      field(b.append(i++ == 0 ? "" : ","), e.getKey(), e.getValue());
    }
    b.append("},\"maxSendLagMs\":").append(ms(r.maxSendLagNanos()));
    b.append(",\"intendedMs\":");
    percentiles(b, r.intended());
    b.append(",\"actualMs\":");
    percentiles(b, r.actual());
    if (run.server() != null) {
      b.append(",\"server\":{\"requests\":").append(run.server().requests());
      b.append(",\"meanMs\":").append(ms(Math.round(run.server().meanNanos())));
      b.append(",\"clientMinusServerMs\":")
          .append(ms(Math.round(r.actual().getMean() - run.server().meanNanos())));
      b.append(",\"stageMeanMs\":{");
      int j = 0;
      for (Map.Entry<String, Double> e : run.server().stageMeanNanos().entrySet()) {
        b.append(j++ == 0 ? "" : ",").append('"').append(e.getKey()).append("\":");
        b.append(ms(Math.round(e.getValue())));
      }
      b.append("}}");
    }
    if (run.verdicts() != null) {
      b.append(",\"slo\":[");
      int j = 0;
      for (Slo.Verdict v : run.verdicts()) {
        b.append(j++ == 0 ? "" : ",")
            .append("{\"percentile\":")
            .append(number(v.objective().percentile()));
        b.append(",\"limitMs\":").append(ms(v.objective().limit().toNanos()));
        b.append(",\"observedMs\":")
            .append(v.observedNanos() == null ? "null" : ms(v.observedNanos()));
        b.append(",\"met\":").append(v.met()).append('}');
      }
      b.append("],\"sloMet\":").append(run.sloMet());
    }
    return b.append('}').toString();
  }

  /** Writes NAME.json, NAME.intended.hgrm, NAME.actual.hgrm and NAME.png into {@code dir}. */
  static List<Path> write(Path dir, Run run) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    Path json = dir.resolve(run.name() + ".json");
    Files.writeString(json, json(run) + System.lineSeparator(), StandardCharsets.UTF_8);
    files.add(json);
    files.add(hgrm(dir.resolve(run.name() + ".intended.hgrm"), run.result().intended()));
    files.add(hgrm(dir.resolve(run.name() + ".actual.hgrm"), run.result().actual()));
    Path png = dir.resolve(run.name() + ".png");
    PercentilePlot.write(png, run);
    files.add(png);
    return files;
  }

  /**
   * HdrHistogram's percentile distribution, values in milliseconds (the format its plotters read).
   */
  static Path hgrm(Path file, Histogram h) throws IOException {
    try (PrintStream out =
        new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
      h.outputPercentileDistribution(out, 5, 1e6);
    }
    return file;
  }

  static long at(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      return 0;
    }
    return percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
  }

  /** Nanoseconds as milliseconds with three decimals. */
  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  /** A number without a needless ".0". */
  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "");
  }

  private static void percentiles(StringBuilder b, Histogram h) {
    b.append("{\"count\":").append(h.getTotalCount());
    for (double p : PERCENTILES) {
      b.append(",\"").append(p == 100 ? "max" : "p" + number(p)).append("\":").append(ms(at(h, p)));
    }
    b.append(",\"mean\":")
        .append(ms(Math.round(h.getTotalCount() == 0 ? 0 : h.getMean())))
        .append('}');
  }

  private static StringBuilder field(StringBuilder b, String name, Object value) {
    Printer.string(b, name).append(':');
    return value instanceof String s ? Printer.string(b, s) : b.append(value);
  }
}
