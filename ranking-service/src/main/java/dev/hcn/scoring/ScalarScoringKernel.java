package dev.hcn.scoring;

/**
 * Plain-Java twin of {@link VectorScoringKernel}: one candidate at a time, one interest at a time.
 * The dot products use {@link Math#fma} sequentially over the dimensions, which is exactly what
 * each lane of the vector kernel does, so both kernels produce bit-identical {@code s}; the softmax
 * ({@link Softmax}, whose exponential the vector kernel evaluates lane by lane with the same
 * operations) then gives bit-identical scores.
 */
public final class ScalarScoringKernel implements ScoringKernel {

  @Override
  public CandidateScorer bind(float[] interests, int n, int dim, float temperature) {
    return new Scorer(interests.clone(), n, dim, temperature);
  }

  private static final class Scorer implements CandidateScorer {
    private final float[] u;
    private final int n;
    private final int dim;
    private final float temperature;
    private final float[] s;
    private final float[] e;
    private final double l1Max;
    private final double factor;
    private final double slack;

    Scorer(float[] u, int n, int dim, float temperature) {
      this.u = u;
      this.n = n;
      this.dim = dim;
      this.temperature = temperature;
      this.s = new float[n];
      this.e = new float[n];
      this.l1Max = QuantizedItems.l1Max(u, n, dim);
      this.factor = QuantizedItems.errorFactor(dim);
      this.slack = QuantizedItems.absoluteSlack(dim);
    }

    @Override
    public int blockSize() {
      return 1;
    }

    @Override
    public void score(ItemMatrix items, int[] rows, int from, int count, float floor, float[] out) {
      for (int c = 0; c < count; c++) {
        int i = from + c;
        dots(items, rows == null ? i + 1 : rows[i], s);
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
          max = Math.max(max, s[k]);
        }
        if (max < floor) {
          out[c] = Float.NaN;
          continue;
        }
        Softmax.exps(s, 0, n, max, temperature, e);
        out[c] = Softmax.weightedScore(s, 0, e, n, max);
      }
    }

    @Override
    public void upperBounds(QuantizedItems items, int[] rows, int from, int count, float[] out) {
      byte[] codes = items.codes();
      for (int c = 0; c < count; c++) {
        int i = from + c;
        int row = rows == null ? i + 1 : rows[i];
        int xo = row * dim;
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
          int uo = k * dim;
          float acc = 0f;
          for (int d = 0; d < dim; d++) {
            acc = Math.fma(u[uo + d], (float) codes[xo + d], acc);
          }
          max = Math.max(max, acc);
        }
        out[c] = QuantizedItems.upperBound(items.scales()[row], max, l1Max, factor, slack);
      }
    }

    @Override
    public void dots(ItemMatrix items, int row, float[] out) {
      float[] x = items.data();
      int xo = row * dim;
      for (int k = 0; k < n; k++) {
        int uo = k * dim;
        float acc = 0f;
        for (int d = 0; d < dim; d++) {
          acc = Math.fma(u[uo + d], x[xo + d], acc);
        }
        out[k] = acc;
      }
    }
  }
}
