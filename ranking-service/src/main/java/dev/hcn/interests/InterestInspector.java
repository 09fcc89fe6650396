package dev.hcn.interests;

import dev.hcn.interests.InterestReport.HistoryEvent;
import dev.hcn.interests.InterestReport.Interest;
import dev.hcn.interests.InterestReport.Point;
import dev.hcn.interests.InterestReport.ProjectedItem;
import dev.hcn.interests.InterestReport.ScoredItem;
import dev.hcn.model.ItemIdIndex;
import dev.hcn.model.ItemMetadata;
import dev.hcn.model.ModelBundle;
import dev.hcn.scoring.ItemMatrix;
import dev.hcn.scoring.TopKResult;
import dev.hcn.scoring.TopKScorer;
import java.util.ArrayList;
import java.util.List;

/**
 * Summarises one user's interest vectors against the bundle's catalogue: closest items by inner
 * product (exact, through the scoring kernel), norms, pairwise cosines, the history's windows and
 * an optional PCA projection. Stateless; the caller has validated the query.
 */
public final class InterestInspector {

  private final TopKScorer scorer;

  public InterestInspector(TopKScorer scorer) {
    this.scorer = scorer;
  }

  /**
   * @param interests the tower output, {@code n * dim} floats
   * @param history the history the tower saw, external ids oldest first
   */
  public InterestReport inspect(
      ModelBundle bundle,
      float[] interests,
      long[] history,
      int m,
      int projection,
      boolean coldStart,
      boolean fallback) {
    ItemMatrix items = bundle.items();
    ItemMetadata meta = bundle.itemMetadata();
    int n = bundle.tower().interestCount();
    int dim = items.dim();
    float[][] u = new float[n][];
    for (int k = 0; k < n; k++) {
      u[k] = java.util.Arrays.copyOfRange(interests, k * dim, (k + 1) * dim);
    }
    TopKResult[] closest = scorer.closest(interests, n, items, m);
    List<Interest> summary = new ArrayList<>(n);
    float[] norms = new float[n];
    for (int k = 0; k < n; k++) {
      norms[k] = (float) Math.sqrt(dot(u[k], u[k]));
      List<ScoredItem> top = new ArrayList<>(m);
      for (int i = 0; i < closest[k].rows().length; i++) {
        long id = items.id(closest[k].rows()[i]);
        top.add(new ScoredItem(id, meta.title(id), closest[k].scores()[i]));
      }
      summary.add(new Interest(k, norms[k], List.copyOf(top)));
    }
    return new InterestReport(
        new InterestReport.Model(bundle.name(), bundle.version()),
        List.copyOf(summary),
        cosines(u, norms),
        windows(bundle, history),
        coldStart,
        fallback,
        projection > 0 ? project(items, meta, u, closest, projection) : null);
  }

  private static float[][] cosines(float[][] u, float[] norms) {
    int n = u.length;
    float[][] cos = new float[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double d = (double) norms[i] * norms[j];
        float c = d > 0 ? (float) Math.max(-1, Math.min(1, dot(u[i], u[j]) / d)) : 0f;
        cos[i][j] = c;
        cos[j][i] = c;
      }
    }
    return cos;
  }

  /** Labels each event with the tower input it reached, by the bundle's windowing rule. */
  private static List<HistoryEvent> windows(ModelBundle bundle, long[] history) {
    ItemIdIndex index = bundle.index();
    ItemMetadata meta = bundle.itemMetadata();
    int shortLength = bundle.shortLength();
    int longLength = bundle.longLength();
    HistoryEvent[] out = new HistoryEvent[history.length];
    int known = 0;
    for (int i = history.length - 1; i >= 0; i--) {
      long id = history[i];
      String window;
      if (index.row(id) <= 0) {
        window = "unknown";
      } else {
        window =
            known < shortLength ? "short" : known < shortLength + longLength ? "long" : "outside";
        known++;
      }
      out[i] = new HistoryEvent(id, meta.title(id), window);
    }
    return List.of(out);
  }

  private static InterestReport.Projection project(
      ItemMatrix items, ItemMetadata meta, float[][] u, TopKResult[] closest, int sample) {
    int catalogue = items.rows() - 1;
    int count = Math.min(sample, catalogue);
    int[] rows = new int[count];
    float[][] points = new float[count][];
    for (int i = 0; i < count; i++) {
      // Evenly spaced rows: the same sample for every request on a bundle.
      rows[i] = 1 + (int) ((long) i * catalogue / count);
      points[i] = unit(items.row(rows[i]));
    }
    Pca2 pca = Pca2.fit(points);
    List<Point> interestPoints = new ArrayList<>(u.length);
    for (int k = 0; k < u.length; k++) {
      float[] p = pca.project(unit(u[k]));
      interestPoints.add(new Point(k, p[0], p[1]));
    }
    List<ProjectedItem> itemPoints = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      itemPoints.add(item(items, meta, pca, rows[i], points[i], -1));
    }
    for (int k = 0; k < closest.length; k++) {
      for (int row : closest[k].rows()) {
        itemPoints.add(item(items, meta, pca, row, unit(items.row(row)), k));
      }
    }
    return new InterestReport.Projection(
        pca.explainedVariance(), List.copyOf(interestPoints), List.copyOf(itemPoints));
  }

  private static ProjectedItem item(
      ItemMatrix items, ItemMetadata meta, Pca2 pca, int row, float[] unit, int closestTo) {
    long id = items.id(row);
    float[] p = pca.project(unit);
    return new ProjectedItem(id, meta.title(id), p[0], p[1], closestTo);
  }

  /** The vector scaled to length 1 (the zero vector stays zero): the plot shows directions. */
  private static float[] unit(float[] v) {
    double norm = Math.sqrt(dot(v, v));
    float[] out = new float[v.length];
    if (norm > 0) {
      for (int i = 0; i < v.length; i++) {
        out[i] = (float) (v[i] / norm);
      }
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
