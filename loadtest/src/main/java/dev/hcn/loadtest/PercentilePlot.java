package dev.hcn.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Latency by percentile as a PNG, in the style of HdrHistogram's plotter: the x axis spreads the
 * tail ({@code 1 / (1 - p)}, log scale: 90 %, 99 %, 99.9 % equally apart), one line per column
 * (intended send time and actual send), the objectives as markers. Drawn with Java2D, headless.
 */
final class PercentilePlot {

  static final int WIDTH = 900;
  static final int HEIGHT = 520;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;

  /** The x axis ends at 99.999 %: five nines. */
  private static final double MAX_NINES = 5;

  private PercentilePlot() {}

  static void write(Path file, Report.Run run) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      draw(g, run);
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  private static void draw(Graphics2D g, Report.Run run) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    OpenLoop.Result r = run.result();
    List<double[]> intended = points(r.intended());
    List<double[]> actual = points(r.actual());
    double maxMs = 0.001;
    for (List<double[]> line : List.of(intended, actual)) {
      for (double[] p : line) {
        maxMs = Math.max(maxMs, p[1]);
      }
    }
    if (run.verdicts() != null) {
      for (Slo.Verdict v : run.verdicts()) {
        maxMs = Math.max(maxMs, v.objective().limit().toNanos() / 1e6);
      }
    }
    maxMs = niceCeiling(maxMs * 1.05);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(Color.BLACK);
    g.drawString(
        run.description() + "  |  " + Report.number(r.rate()) + " req/s, " + r.sent() + " sent",
        LEFT,
        20);
    // Grid: x at 0, 90, 99, ... %; y at tenths of the range.
    g.setStroke(new BasicStroke(1f));
    for (int nines = 0; nines <= MAX_NINES; nines++) {
      int x = LEFT + (int) Math.round(plotW * nines / MAX_NINES);
      g.setColor(new Color(225, 225, 225));
      g.drawLine(x, TOP, x, TOP + plotH);
      g.setColor(Color.DARK_GRAY);
      String label = nines == 0 ? "0%" : Report.number(100 - 100 / Math.pow(10, nines)) + "%";
      g.drawString(label, x - 18, TOP + plotH + 18);
    }
    for (int i = 0; i <= 10; i++) {
      int y = TOP + plotH - (int) Math.round(plotH * i / 10.0);
      g.setColor(new Color(225, 225, 225));
      g.drawLine(LEFT, y, LEFT + plotW, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(axis(maxMs * i / 10), 10, y + 4);
    }
    g.drawString("percentile", LEFT + plotW / 2 - 30, HEIGHT - 15);
    g.drawString("latency ms", 10, TOP - 10);

    line(g, actual, new Color(120, 120, 120), maxMs, plotW, plotH);
    line(g, intended, new Color(200, 40, 40), maxMs, plotW, plotH);
    if (run.verdicts() != null) {
      for (Slo.Verdict v : run.verdicts()) {
        double limit = v.objective().limit().toNanos() / 1e6;
        int x =
            LEFT
                + (int)
                    Math.round(plotW * Math.min(1, nines(v.objective().percentile()) / MAX_NINES));
        int y = TOP + plotH - (int) Math.round(plotH * limit / maxMs);
        g.setColor(v.met() ? new Color(30, 140, 30) : new Color(200, 40, 40));
        g.fillRect(x - 5, y - 5, 10, 10);
        g.drawString(
            "SLO " + v.objective().label() + (v.met() ? " met" : " missed"), x - 120, y - 8);
      }
    }
    // Legend.
    g.setColor(new Color(200, 40, 40));
    g.fillRect(LEFT + 10, TOP + 8, 18, 4);
    g.setColor(Color.BLACK);
    g.drawString("from intended send time", LEFT + 34, TOP + 14);
    g.setColor(new Color(120, 120, 120));
    g.fillRect(LEFT + 10, TOP + 26, 18, 4);
    g.setColor(Color.BLACK);
    g.drawString("from actual send", LEFT + 34, TOP + 32);
  }

  private static void line(
      Graphics2D g, List<double[]> points, Color color, double maxMs, int plotW, int plotH) {
    if (points.isEmpty()) {
      return;
    }
    Path2D.Double path = new Path2D.Double();
    boolean first = true;
    for (double[] p : points) {
      double x = LEFT + plotW * Math.min(1, p[0] / MAX_NINES);
      double y = TOP + plotH - plotH * p[1] / maxMs;
      if (first) {
        path.moveTo(x, y);
        first = false;
      } else {
        path.lineTo(x, y);
      }
    }
    g.setColor(color);
    g.setStroke(new BasicStroke(2f));
    g.draw(path);
  }

  /** (nines, ms) pairs: nines = log10(1 / (1 - p)). */
  static List<double[]> points(Histogram h) {
    List<double[]> out = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return out;
    }
    for (HistogramIterationValue v : h.percentiles(5)) {
      double p = v.getPercentileLevelIteratedTo();
      out.add(new double[] {nines(p), h.highestEquivalentValue(v.getValueIteratedTo()) / 1e6});
      if (p >= 100) {
        break;
      }
    }
    return out;
  }

  static double nines(double percentile) {
    return percentile >= 100
        ? MAX_NINES
        : Math.min(MAX_NINES, Math.log10(100 / (100 - percentile)));
  }

  private static String axis(double ms) {
    return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : Report.number(ms);
  }

  /** 1, 2 or 5 times a power of ten at or above {@code v}. */
  static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }
}
