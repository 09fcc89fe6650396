package dev.hcn.scoring;

/**
 * Plain-Java twin of {@link VectorScoringKernel}: one candidate at a time, one interest at a time.
 * The dot products use {@link Math#fma} sequentially over the dimensions, which is exactly what
 * each lane of the vector kernel does, so both kernels produce bit-identical {@code s}; the softmax
 * sums and {@code exp} may differ in the last bits.
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

    Scorer(float[] u, int n, int dim, float temperature) {
      this.u = u;
      this.n = n;
      this.dim = dim;
      this.temperature = temperature;
      this.s = new float[n];
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
        float sumW = 0f;
        float sumWs = 0f;
        for (int k = 0; k < n; k++) {
          // Subtracting the max keeps every exponent <= 0: no overflow however large s is.
          float w = (float) Math.exp((s[k] - max) / temperature);
          sumW += w;
          sumWs += w * s[k];
        }
        // Rounding may put the weighted mean an ulp above max(s); clamping keeps the bound exact.
        // "+ 0f" turns -0.0f into 0.0f so that equal scores compare equal everywhere.
        out[c] = Math.min(sumWs / sumW, max) + 0f;
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
