package dev.hcn.scoring;

/**
 * The softmax half of Eq. 8, shared by both kernels so that they round identically.
 *
 * <p>The exponential is {@link #exp}, a float polynomial built from IEEE operations and {@link
 * Math#fma} only, so that {@link VectorScoringKernel} can evaluate the same sequence of operations
 * lane by lane and get the same bits: the vector kernel computes a candidate's n exponentials in
 * one pass instead of n calls to {@link Math#exp}, which cost most of a surviving candidate's time.
 */
final class Softmax {
  private Softmax() {}

  /** Below this argument {@link #exp} is 0: e^-87 (1.6e-38) is the last normal float it returns. */
  static final float EXP_CUTOFF = -87f;

  static final float LOG2E = 1.44269504088896341f;

  /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude < 2^22 to an integer. */
  static final float ROUND_SHIFT = 12582912f;

  /** ln 2 split in two (Cody and Waite): {@code k * LN2_HI} is exact for the k that occur. */
  static final float LN2_HI = 0.693359375f;

  static final float LN2_LO = -2.12194440e-4f;

  /** Minimax coefficients of (e^r - 1 - r) / r^2 on [-ln2 / 2, ln2 / 2] (Cephes expf). */
  static final float P0 = 5.0000001201e-1f;

  static final float P1 = 1.6666665459e-1f;
  static final float P2 = 4.1665795894e-2f;
  static final float P3 = 8.3334519073e-3f;
  static final float P4 = 1.3981999507e-3f;
  static final float P5 = 1.9875691500e-4f;

  /**
   * e^x for {@code x <= 0} (the softmax's arguments), within 2 ulp of the correctly rounded value
   * for {@code -87 <= x <= 0} ({@code SoftmaxTest}), exactly 1 at 0, and 0 below {@link
   * #EXP_CUTOFF} or at -inf (such a weight is below 1.6e-38, against the max's weight of 1; the
   * correctly rounded e^x is subnormal below -87.34 and 0 below -103.98). {@link
   * VectorScoringKernel} evaluates these operations in this order lane by lane: keep the two in
   * step.
   */
  static float exp(float x) {
    if (x < EXP_CUTOFF) {
      return 0f;
    }
    float k = (x * LOG2E + ROUND_SHIFT) - ROUND_SHIFT;
    float r = Math.fma(k, -LN2_HI, x);
    r = Math.fma(k, -LN2_LO, r);
    float p = Math.fma(P5, r, P4);
    p = Math.fma(p, r, P3);
    p = Math.fma(p, r, P2);
    p = Math.fma(p, r, P1);
    p = Math.fma(p, r, P0);
    float y = Math.fma(p, r * r, r) + 1f;
    // 2^k from its exponent bits: k is an integer in [-126, 0] here, so the exponent is normal.
    return y * Float.intBitsToFloat(((int) k + 127) << 23);
  }

  /**
   * {@code e[k] = exp((s[off + k] - max) / temperature)} for {@code k < n}, given {@code max =
   * max(s)}: subtracting the max keeps every exponent {@code <= 0}, so no {@code exp} overflows
   * however large {@code s} is. {@link VectorScoringKernel#exps} computes the same floats a vector
   * at a time.
   */
  static void exps(float[] s, int off, int n, float max, float temperature, float[] e) {
    for (int k = 0; k < n; k++) {
      e[k] = exp((s[off + k] - max) / temperature);
    }
  }

  /**
   * {@code sum_k w_k s_k} with {@code w = softmax(s / temperature)} over {@code s[off .. off + n)},
   * from the exponentials {@code e} of {@link #exps} (or of the vector kernel's, which are the same
   * floats). This one sequential loop serves both kernels, so the score depends only on {@code s}.
   */
  static float weightedScore(float[] s, int off, float[] e, int n, float max) {
    float sumW = 0f;
    float sumWs = 0f;
    for (int k = 0; k < n; k++) {
      float w = e[k];
      sumW += w;
      sumWs += w * s[off + k];
    }
    // Rounding may put the weighted mean an ulp above max(s); clamping keeps score <= max(s)
    // exact, which the top-k skip relies on. "+ 0f" turns -0.0f into 0.0f so that equal scores
    // compare equal everywhere.
    return Math.min(sumWs / sumW, max) + 0f;
  }

  /**
   * The weights themselves, {@code out[k] = w_k = softmax(s / temperature)_k} for {@code s[0 ..
   * n)}: the exponentials of {@link #exps}, the ones the score was summed from, so they are the
   * weights that produced it (Eq. 8's alpha). They sum to 1 up to float rounding.
   */
  static void weights(float[] s, int n, float max, float temperature, float[] out) {
    exps(s, 0, n, max, temperature, out);
    float sumW = 0f;
    for (int k = 0; k < n; k++) {
      sumW += out[k];
    }
    for (int k = 0; k < n; k++) {
      out[k] /= sumW;
    }
  }
}
