package dev.hcn.scoring;

/** The softmax half of Eq. 8, shared by both kernels so that they round identically. */
final class Softmax {
  private Softmax() {}

  /**
   * {@code sum_k w_k s_k} with {@code w = softmax(s / temperature)} over {@code s[off .. off + n)},
   * given {@code max = max(s)}. Subtracting the max keeps every exponent {@code <= 0}, so no {@code
   * exp} overflows however large {@code s} is. Sequential order and {@link Math#exp} (the same stub
   * in every JIT tier) make the result depend only on {@code s}.
   */
  static float weightedScore(float[] s, int off, int n, float max, float temperature) {
    float sumW = 0f;
    float sumWs = 0f;
    for (int k = 0; k < n; k++) {
      float v = s[off + k];
      float w = (float) Math.exp((v - max) / temperature);
      sumW += w;
      sumWs += w * v;
    }
    // Rounding may put the weighted mean an ulp above max(s); clamping keeps score <= max(s)
    // exact, which the top-k skip relies on. "+ 0f" turns -0.0f into 0.0f so that equal scores
    // compare equal everywhere.
    return Math.min(sumWs / sumW, max) + 0f;
  }

  /**
   * The weights themselves, {@code out[k] = w_k = softmax(s / temperature)_k} for {@code s[0 ..
   * n)}: the same exponents, in the same order, as {@link #weightedScore}, so they are the weights
   * that produced the score (Eq. 8's alpha). They sum to 1 up to float rounding.
   */
  static void weights(float[] s, int n, float max, float temperature, float[] out) {
    float sumW = 0f;
    for (int k = 0; k < n; k++) {
      float w = (float) Math.exp((s[k] - max) / temperature);
      out[k] = w;
      sumW += w;
    }
    for (int k = 0; k < n; k++) {
      out[k] /= sumW;
    }
  }
}
