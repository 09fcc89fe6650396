package dev.hcn.interests;

/**
 * The first two principal components of a point set, for a readable 2-D picture of embeddings.
 * Deterministic: power iteration on the covariance from a fixed start vector, then deflation; each
 * component's sign is chosen so that its largest-magnitude coordinate is positive. Double precision
 * throughout; the dimension is small (tens to hundreds), so the D x D covariance is cheap.
 */
final class Pca2 {

  private static final int MAX_ITERATIONS = 1000;
  private static final double CONVERGED = 1e-12;

  private final double[] mean;
  private final double[] first;
  private final double[] second;
  private final double[] explained;

  private Pca2(double[] mean, double[] first, double[] second, double[] explained) {
    this.mean = mean;
    this.first = first;
    this.second = second;
    this.explained = explained;
  }

  /**
   * @param points at least one point, all of the same dimension
   */
  static Pca2 fit(float[][] points) {
    int d = points[0].length;
    int count = points.length;
    double[] mean = new double[d];
    for (float[] p : points) {
      for (int i = 0; i < d; i++) {
        mean[i] += p[i];
      }
    }
    for (int i = 0; i < d; i++) {
      mean[i] /= count;
    }
    double[][] cov = new double[d][d];
    double[] c = new double[d];
    for (float[] p : points) {
      for (int i = 0; i < d; i++) {
        c[i] = p[i] - mean[i];
      }
      for (int i = 0; i < d; i++) {
        for (int j = i; j < d; j++) {
          cov[i][j] += c[i] * c[j];
        }
      }
    }
    double trace = 0;
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        cov[i][j] /= count;
        cov[j][i] = cov[i][j];
      }
      trace += cov[i][i];
    }
    double[] first = dominant(cov);
    double l1 = rayleigh(cov, first);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        cov[i][j] -= l1 * first[i] * first[j];
      }
    }
    double[] second = d > 1 ? dominant(cov) : new double[d];
    double l2 = d > 1 ? rayleigh(cov, second) : 0;
    double[] explained =
        trace > 0 ? new double[] {l1 / trace, Math.max(0, l2) / trace} : new double[] {0, 0};
    return new Pca2(mean, first, second, explained);
  }

  /** The point's coordinates on the two components (centred on the fitted mean). */
  float[] project(float[] point) {
    double x = 0;
    double y = 0;
    for (int i = 0; i < mean.length; i++) {
      double c = point[i] - mean[i];
      x += c * first[i];
      y += c * second[i];
    }
    return new float[] {(float) x, (float) y};
  }

  /** Share of the variance on each component. */
  double[] explainedVariance() {
    return explained.clone();
  }

  /** Unit eigenvector of the largest eigenvalue; the zero vector for a zero matrix. */
  private static double[] dominant(double[][] a) {
    int d = a.length;
    double[] v = new double[d];
    for (int i = 0; i < d; i++) {
      // Not orthogonal to any axis-aligned eigenvector, and the same every time.
      v[i] = 1.0 + (double) i / d;
    }
    normalise(v);
    double[] next = new double[d];
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += a[i][j] * v[j];
        }
        next[i] = s;
      }
      if (normalise(next) == 0) {
        return new double[d];
      }
      double change = 0;
      for (int i = 0; i < d; i++) {
        change += (next[i] - v[i]) * (next[i] - v[i]);
      }
      System.arraycopy(next, 0, v, 0, d);
      if (change < CONVERGED) {
        break;
      }
    }
    int largest = 0;
    for (int i = 1; i < d; i++) {
      if (Math.abs(v[i]) > Math.abs(v[largest])) {
        largest = i;
      }
    }
    if (v[largest] < 0) {
      for (int i = 0; i < d; i++) {
        v[i] = -v[i];
      }
    }
    return v;
  }

  private static double rayleigh(double[][] a, double[] v) {
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      for (int j = 0; j < v.length; j++) {
        s += v[i] * a[i][j] * v[j];
      }
    }
    return s;
  }

  private static double normalise(double[] v) {
    double n = 0;
    for (double x : v) {
      n += x * x;
    }
    n = Math.sqrt(n);
    if (n > 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] /= n;
      }
    }
    return n;
  }
}
