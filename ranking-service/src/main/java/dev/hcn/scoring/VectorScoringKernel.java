package dev.hcn.scoring;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernel for Eq. 8 (the production kernel; {@link ScalarScoringKernel} is its twin).
 *
 * <p>Layout: the interests are transposed to {@code ut[d][k]} and padded to a whole number of
 * lanes, so one FMA updates the dot products of {@code L} interests at once and {@code s} comes out
 * as vectors, with no horizontal sum per dot product. A block of {@value #BLOCK} candidates is
 * scored together: their rows are first copied contiguously (wide, prefetch-friendly loads); then,
 * per dimension d, two loads of {@code ut[d]} feed eight FMAs (four candidates x two interest
 * vectors, {@code x_c[d]} broadcast from L1), or, for a last single interest vector, one load feeds
 * eight candidates. Either way there are eight independent accumulator chains to hide FMA latency,
 * and each candidate row is read from memory once for all n interests. Measured alternatives
 * (row-vector dot products with a horizontal sum per interest; no staging copy) are described in
 * docs/performance.md.
 *
 * <p>Invariants: lane k of a candidate's accumulator is {@code fma(ut[d][k], x[d], acc)} applied
 * sequentially for d = 0..dim-1, the same order as the scalar twin, so dot products are
 * bit-identical to it and independent of the candidate's neighbours in the block or the JIT tier.
 * Padding lanes hold {@code s = 0} and get a bias of {@code -inf} for the max; the max itself is
 * exact in any order. Only candidates that survive the {@code max(s) >= floor} test reach {@link
 * Softmax} (shared with the twin), so scores are bit-identical to the twin's. A short last block
 * repeats its last candidate instead of switching to another code path.
 *
 * <p>Width: {@code FloatVector.SPECIES_PREFERRED}, or fewer bits when the JVM system property
 * {@value #WIDTH_PROPERTY} names them (128, 256 or 512, at most the preferred width). The width is
 * fixed when the class loads, as a constant the JIT folds into every vector operation. It changes
 * speed only: each lane's FMA order is the same at any width, so scores are bit-identical to the
 * twin at every width. The build tests the kernel at 256 and 128 bits too, so that a machine with
 * 512-bit vectors also checks the code paths that narrower vectors take (at 512 bits and n <= 16
 * the two-vector loop never runs). Narrower vectors measured no faster on a Zen 4 (n = 8 leaves
 * half of each 512-bit FMA on padding, but the FMAs are not what bounds that shape;
 * docs/performance.md).
 */
public final class VectorScoringKernel implements ScoringKernel {

  /** The JVM system property that narrows the kernel's vectors (bits; unset = the preferred). */
  public static final String WIDTH_PROPERTY = "hcn.scoring.vector-bits";

  static final VectorSpecies<Float> SPECIES = species(System.getProperty(WIDTH_PROPERTY));
  private static final int LANES = SPECIES.length();
  static final int BLOCK = 8;

  /**
   * The species for a {@value #WIDTH_PROPERTY} value: null or blank = the preferred one.
   *
   * @throws IllegalArgumentException for anything but 128, 256 or 512 up to the preferred width
   */
  static VectorSpecies<Float> species(String bits) {
    VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
    if (bits == null || bits.isBlank()) {
      return preferred;
    }
    int width;
    try {
      width = Integer.parseInt(bits.strip());
    } catch (NumberFormatException e) {
      width = -1;
    }
    if ((width != 128 && width != 256 && width != 512) || width > preferred.vectorBitSize()) {
      throw new IllegalArgumentException(
          "%s must be 128, 256 or 512 and at most the preferred %d bits, not '%s'"
              .formatted(WIDTH_PROPERTY, preferred.vectorBitSize(), bits));
    }
    return VectorSpecies.of(float.class, VectorShape.forBitSize(width));
  }

  @Override
  public CandidateScorer bind(float[] interests, int n, int dim, float temperature) {
    return new Scorer(interests, n, dim, temperature);
  }

  private static final class Scorer implements CandidateScorer {
    private final int n;
    private final int nPad;

    /** Lanes {@code [0, pairEnd)} are scored two vectors at a time, the rest one at a time. */
    private final int pairEnd;

    private final int dim;
    private final float temperature;

    /**
     * Transposed, padded interests, zero for k >= n, grouped by the lanes one loop reads: lanes
     * {@code [j, j + w)} (w = 2L for the pairs, L for a last single vector) are {@code w} floats
     * per dimension at {@code ut[j * dim + d * w + (k - j)] = u_k[d]}. The constant stride w lets
     * the JIT drop the bounds checks in the FMA loops.
     */
    private final float[] ut;

    /** 0 for real interests, -inf for padding lanes (keeps them out of the max). */
    private final float[] bias;

    /** Dot products of one block, candidate c at {@code [c * nPad, (c + 1) * nPad)}. */
    private final float[] s;

    /** The block's candidate rows, copied contiguously. */
    private final float[] xs;

    /** For {@link #upperBounds}: {@code max_k ||u_k||_1} and the error terms of the int8 copy. */
    private final double l1Max;

    private final double factor;
    private final double slack;

    Scorer(float[] interests, int n, int dim, float temperature) {
      this.n = n;
      this.nPad = (n + LANES - 1) / LANES * LANES;
      this.dim = dim;
      this.temperature = temperature;
      this.pairEnd = nPad / (2 * LANES) * (2 * LANES);
      this.ut = new float[dim * nPad];
      for (int k = 0; k < n; k++) {
        for (int d = 0; d < dim; d++) {
          ut[utIndex(k, d)] = interests[k * dim + d];
        }
      }
      this.bias = new float[nPad];
      java.util.Arrays.fill(bias, n, nPad, Float.NEGATIVE_INFINITY);
      this.s = new float[BLOCK * nPad];
      this.xs = new float[BLOCK * dim];
      this.l1Max = QuantizedItems.l1Max(interests, n, dim);
      this.factor = QuantizedItems.errorFactor(dim);
      this.slack = QuantizedItems.absoluteSlack(dim);
    }

    @Override
    public int blockSize() {
      return BLOCK;
    }

    @Override
    public void score(ItemMatrix items, int[] rows, int from, int count, float floor, float[] out) {
      dotBlock(items, rows, from, count);
      for (int c = 0; c < count; c++) {
        out[c] = softmaxScore(c * nPad, floor);
      }
    }

    @Override
    public void upperBounds(QuantizedItems items, int[] rows, int from, int count, float[] out) {
      // The same FMA loops over the codes widened to floats (exact: |c| <= 127), so each lane's
      // a_k is the scalar twin's, bit for bit.
      byte[] codes = items.codes();
      for (int c = 0; c < BLOCK; c++) {
        int o = offset(rows, from, c, count);
        int xo = c * dim;
        for (int d = 0; d < dim; d++) {
          xs[xo + d] = codes[o + d];
        }
      }
      dotStaged();
      float[] scales = items.scales();
      for (int c = 0; c < count; c++) {
        int i = from + c;
        float scale = scales[rows == null ? i + 1 : rows[i]];
        out[c] = QuantizedItems.upperBound(scale, max(c * nPad), l1Max, factor, slack);
      }
    }

    @Override
    public void dots(ItemMatrix items, int row, float[] out) {
      float[] x = items.data();
      int xo = row * dim;
      for (int j = 0; j < nPad; j += LANES) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int stride = j < pairEnd ? 2 * LANES : LANES;
        for (int d = 0, u = utIndex(j, 0); d < dim; d++, u += stride) {
          acc = FloatVector.fromArray(SPECIES, ut, u).fma(bcast(x[xo + d]), acc);
        }
        acc.intoArray(s, j);
      }
      System.arraycopy(s, 0, out, 0, n);
    }

    /** Fills {@code s} with the dot products of candidates {@code from .. from + count - 1}. */
    private void dotBlock(ItemMatrix items, int[] rows, int from, int count) {
      // Stage the block's rows contiguously: the copy streams each row with wide loads, which the
      // hardware prefetches well, and the FMA loop below then broadcasts from L1.
      float[] src = items.data();
      float[] x = xs;
      for (int c = 0; c < BLOCK; c++) {
        System.arraycopy(src, offset(rows, from, c, count), x, c * dim, dim);
      }
      dotStaged();
    }

    /** Fills {@code s} with the dot products of the {@value #BLOCK} rows staged in {@link #xs}. */
    private void dotStaged() {
      float[] x = xs;
      int o0 = 0;
      int o1 = dim;
      int o2 = 2 * dim;
      int o3 = 3 * dim;
      int o4 = 4 * dim;
      int o5 = 5 * dim;
      int o6 = 6 * dim;
      int o7 = 7 * dim;
      int j = 0;
      // Two interest vectors x four candidates: 8 accumulators, 6 loads per 8 FMAs.
      for (; j < pairEnd; j += 2 * LANES) {
        dot4x2(x, o0, o1, o2, o3, 0, j);
        dot4x2(x, o4, o5, o6, o7, 4 * nPad, j);
      }
      // One interest vector x eight candidates: still 8 independent FMA chains.
      if (j < nPad) {
        dot8x1(x, o0, o1, o2, o3, o4, o5, o6, o7, j);
      }
    }

    private void dot4x2(float[] x, int o0, int o1, int o2, int o3, int sBase, int j) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector b0 = a0;
      FloatVector a1 = a0;
      FloatVector b1 = a0;
      FloatVector a2 = a0;
      FloatVector b2 = a0;
      FloatVector a3 = a0;
      FloatVector b3 = a0;
      int base = j * dim;
      for (int d = 0; d < dim; d++) {
        FloatVector ua = FloatVector.fromArray(SPECIES, ut, base + d * (2 * LANES));
        FloatVector ub = FloatVector.fromArray(SPECIES, ut, base + d * (2 * LANES) + LANES);
        FloatVector x0 = bcast(x[o0 + d]);
        a0 = ua.fma(x0, a0);
        b0 = ub.fma(x0, b0);
        FloatVector x1 = bcast(x[o1 + d]);
        a1 = ua.fma(x1, a1);
        b1 = ub.fma(x1, b1);
        FloatVector x2 = bcast(x[o2 + d]);
        a2 = ua.fma(x2, a2);
        b2 = ub.fma(x2, b2);
        FloatVector x3 = bcast(x[o3 + d]);
        a3 = ua.fma(x3, a3);
        b3 = ub.fma(x3, b3);
      }
      int o = sBase + j;
      a0.intoArray(s, o);
      b0.intoArray(s, o + LANES);
      a1.intoArray(s, o + nPad);
      b1.intoArray(s, o + nPad + LANES);
      a2.intoArray(s, o + 2 * nPad);
      b2.intoArray(s, o + 2 * nPad + LANES);
      a3.intoArray(s, o + 3 * nPad);
      b3.intoArray(s, o + 3 * nPad + LANES);
    }

    private void dot8x1(
        float[] x, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7, int j) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      int base = j * dim;
      for (int d = 0; d < dim; d++) {
        FloatVector uv = FloatVector.fromArray(SPECIES, ut, base + d * LANES);
        a0 = uv.fma(bcast(x[o0 + d]), a0);
        a1 = uv.fma(bcast(x[o1 + d]), a1);
        a2 = uv.fma(bcast(x[o2 + d]), a2);
        a3 = uv.fma(bcast(x[o3 + d]), a3);
        a4 = uv.fma(bcast(x[o4 + d]), a4);
        a5 = uv.fma(bcast(x[o5 + d]), a5);
        a6 = uv.fma(bcast(x[o6 + d]), a6);
        a7 = uv.fma(bcast(x[o7 + d]), a7);
      }
      a0.intoArray(s, j);
      a1.intoArray(s, nPad + j);
      a2.intoArray(s, 2 * nPad + j);
      a3.intoArray(s, 3 * nPad + j);
      a4.intoArray(s, 4 * nPad + j);
      a5.intoArray(s, 5 * nPad + j);
      a6.intoArray(s, 6 * nPad + j);
      a7.intoArray(s, 7 * nPad + j);
    }

    /** Position of {@code u_k[d]} in {@link #ut}. */
    private int utIndex(int k, int d) {
      int width = k < pairEnd ? 2 * LANES : LANES;
      int j = k - k % width;
      return j * dim + d * width + (k - j);
    }

    /** Row offset of block slot c; slots past {@code count} repeat the last candidate. */
    private int offset(int[] rows, int from, int c, int count) {
      int i = from + Math.min(c, count - 1);
      return (rows == null ? i + 1 : rows[i]) * dim;
    }

    private float softmaxScore(int base, float floor) {
      float max = max(base);
      if (max < floor) {
        return Float.NaN;
      }
      return Softmax.weightedScore(s, base, n, max, temperature);
    }

    /** {@code max_k s_k} of the candidate whose dot products start at {@code s[base]}. */
    private float max(int base) {
      FloatVector mx = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
      for (int j = 0; j < nPad; j += LANES) {
        mx = mx.max(biased(base, j));
      }
      return mx.reduceLanes(VectorOperators.MAX);
    }

    private FloatVector biased(int base, int j) {
      return FloatVector.fromArray(SPECIES, s, base + j)
          .add(FloatVector.fromArray(SPECIES, bias, j));
    }

    private static FloatVector bcast(float v) {
      return FloatVector.broadcast(SPECIES, v);
    }
  }
}
