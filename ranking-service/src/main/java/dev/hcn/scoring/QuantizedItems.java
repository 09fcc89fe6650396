package dev.hcn.scoring;

/**
 * An int8 copy of an {@link ItemMatrix} for a cheap first pass over the candidates: row r is kept
 * as codes {@code c_r[d]} in {@code [-127, 127]} and one scale {@code q_r}, so that {@code x_r[d] ≈
 * q_r c_r[d]}; a quarter of the fp32 bytes per row.
 *
 * <p>Invariant that makes pruning with it exact. For an interest {@code u} of dimension D and any
 * row r, let {@code s} be the fp32 dot product either kernel computes ({@code fma} sequentially
 * over d) and {@code a} the same computation over the codes. Then
 *
 * <pre>{@code |s - q_r a| <= q_r ||u||_1 errorFactor(D) + absoluteSlack(D)}</pre>
 *
 * Why: quantising costs {@code |x - q c| <= q (1/2 + 128 eps)} per element (the division {@code x /
 * q} rounds once), so the exact dot products differ by at most {@code q ||u||_1 (1/2 + 128 eps)};
 * each computed dot product is within {@code gamma_D = D eps / (1 - D eps)} of its exact value
 * relative to {@code sum |u_d| |x_d| <= 127.01 q ||u||_1} ({@code eps = 2^-24}); the factor below
 * doubles every rounding term. Underflow adds at most one {@code Float.MIN_VALUE} per operation,
 * which the absolute slack covers. Scales are kept at or above {@code Float.MIN_NORMAL} so that the
 * division and the products stay exact where values are subnormal.
 */
public final class QuantizedItems {

  private static final double EPS = Math.ulp(1.0f) / 2;

  private final byte[] codes;
  private final float[] scales;
  private final int rows;
  private final int dim;

  private QuantizedItems(byte[] codes, float[] scales, int rows, int dim) {
    this.codes = codes;
    this.scales = scales;
    this.rows = rows;
    this.dim = dim;
  }

  /** Quantises every row (row 0, the padding, included, so that row indices stay the same). */
  public static QuantizedItems of(ItemMatrix items) {
    int rows = items.rows();
    int dim = items.dim();
    float[] x = items.data();
    byte[] codes = new byte[rows * dim];
    float[] scales = new float[rows];
    for (int r = 0; r < rows; r++) {
      int o = r * dim;
      float max = 0f;
      for (int d = 0; d < dim; d++) {
        max = Math.max(max, Math.abs(x[o + d]));
      }
      float q = Math.max(max / 127f, Float.MIN_NORMAL);
      scales[r] = q;
      for (int d = 0; d < dim; d++) {
        // |x / q| <= 127 (1 + 2 eps): rounds to at most 127, the clamp is only a guard.
        int c = Math.round(x[o + d] / q);
        codes[o + d] = (byte) Math.max(-127, Math.min(127, c));
      }
    }
    return new QuantizedItems(codes, scales, rows, dim);
  }

  public int rows() {
    return rows;
  }

  public int dim() {
    return dim;
  }

  /** Bytes held: codes plus scales. */
  public long bytes() {
    return (long) codes.length + (long) scales.length * Float.BYTES;
  }

  /** Row-major codes; kernels read them and must never write them. */
  byte[] codes() {
    return codes;
  }

  /** Scale of each row. */
  float[] scales() {
    return scales;
  }

  /** The relative factor of the class invariant for dimension {@code dim}. */
  static double errorFactor(int dim) {
    double gamma = dim * EPS / (1 - dim * EPS);
    return 0.5 + 2 * (128 * EPS + 2 * 127.01 * gamma + EPS);
  }

  /** The absolute term of the class invariant (underflow) for dimension {@code dim}. */
  static double absoluteSlack(int dim) {
    return 4.0 * (dim + 2) * Float.MIN_VALUE;
  }

  /**
   * An upper bound on {@code max_k s_k} from the quantised maximum {@code aMax = max_k a_k} of one
   * row: rounded up to a float, so a caller comparing it with a float floor never prunes a row
   * whose fp32 {@code max(s)} reaches the floor.
   *
   * @param l1Max {@code max_k ||u_k||_1}, rounded up
   */
  static float upperBound(float scale, float aMax, double l1Max, double factor, double slack) {
    // float x float is exact in double; the additions round at 2^-53, far inside the factor's
    // slack.
    double upper = (double) scale * aMax + scale * l1Max * factor + slack;
    float f = (float) upper;
    return f < upper ? Math.nextUp(f) : f;
  }

  /** {@code max_k ||u_k||_1} over the n interests, rounded up. */
  static double l1Max(float[] interests, int n, int dim) {
    double max = 0;
    for (int k = 0; k < n; k++) {
      double sum = 0;
      for (int d = 0; d < dim; d++) {
        sum += Math.abs(interests[k * dim + d]);
      }
      max = Math.max(max, sum);
    }
    // The double sum is within dim * 2^-53 of the exact one.
    return max * (1 + 4 * dim * Math.ulp(1.0));
  }
}
