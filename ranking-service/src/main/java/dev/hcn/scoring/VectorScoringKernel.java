package dev.hcn.scoring;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * <p>Whole catalogue: the candidates are the rows in order, so they are read in place from the
 * items' lane blocks ({@link ItemMatrix#laneBlocks}, the catalogue transposed in blocks of L
 * candidates) with candidates across lanes instead: per dimension d, one load of {@code x[d]} for L
 * candidates feeds eight FMAs (interest values broadcast), eight interests per loop (then four,
 * then one), and the max over k is lanewise, so there is no padding of n to whole vectors (n = 8 at
 * 16 lanes does half the FMAs of the layout above) and no horizontal max per candidate. Gathering
 * candidate lists into that layout measured slower than staging them (docs/performance.md), so
 * candidate lists keep the layout above. A block is read in place only when it starts on a multiple
 * of {@value #SCORE_BLOCK} ({@link TopKScorer} aligns its blocks); otherwise, or with lane blocks
 * off, catalogue rows are staged like a candidate list.
 *
 * <p>Invariants: lane k of a candidate's accumulator is {@code fma(ut[d][k], x[d], acc)} applied
 * sequentially for d = 0..dim-1, the same order as the scalar twin, so dot products are
 * bit-identical to it and independent of the candidate's neighbours in the block or the JIT tier.
 * In the whole-catalogue loops lane c of interest k's accumulator is {@code fma(x_c[d], u_k[d],
 * acc)} in the same order (fma is commutative in its factors), so both paths give the twin's dot
 * products and scores; lanes past the last candidate read zero padding and are never returned.
 * Padding lanes hold {@code s = 0} and get a bias of {@code -inf} for the max; the max itself is
 * exact in any order. Only candidates that survive the {@code max(s) >= floor} test reach the
 * softmax: their exponentials are computed a vector at a time by the operations of {@link
 * Softmax#exp} ({@link #exps}, checked against it bit for bit), then summed in the twin's order by
 * {@link Softmax}, so scores are bit-identical to the twin's. A short last block repeats its last
 * candidate instead of switching to another code path.
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
   * Candidates per {@link CandidateScorer#score} call: four staged blocks, or 32 / LANES lane
   * groups of whole-catalogue candidates (a multiple of every width).
   */
  static final int SCORE_BLOCK = 32;

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

  private final boolean laneBlocks;

  /** The kernel with whole-catalogue lane blocks (see {@link ItemMatrix#laneBlocks}). */
  public VectorScoringKernel() {
    this(true);
  }

  /**
   * @param laneBlocks whether whole-catalogue requests read the items' transposed lane blocks
   *     (faster, a second copy of the embeddings) or stage rows like candidate lists (no copy); the
   *     scores are the same either way
   */
  public VectorScoringKernel(boolean laneBlocks) {
    this.laneBlocks = laneBlocks;
  }

  @Override
  public CandidateScorer bind(float[] interests, int n, int dim, float temperature) {
    return new Scorer(interests, n, dim, temperature, laneBlocks);
  }

  /**
   * {@link Softmax#exps} a vector at a time: {@code out[j] = Softmax.exp((src[base + j] - max) /
   * temperature)} for {@code j < count} (a multiple of the lanes), bit for bit, by the operations
   * of {@link Softmax#exp} lane by lane.
   */
  static void exps(float[] src, int base, int count, float max, float temperature, float[] out) {
    for (int j = 0; j < count; j += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, src, base + j).sub(max).div(temperature);
      exp(x).intoArray(out, j);
    }
  }

  /** {@link Softmax#exp} lane by lane. */
  private static FloatVector exp(FloatVector x) {
    FloatVector k = x.mul(Softmax.LOG2E).add(Softmax.ROUND_SHIFT).sub(Softmax.ROUND_SHIFT);
    FloatVector r = k.fma(FloatVector.broadcast(SPECIES, -Softmax.LN2_HI), x);
    r = k.fma(FloatVector.broadcast(SPECIES, -Softmax.LN2_LO), r);
    FloatVector p =
        FloatVector.broadcast(SPECIES, Softmax.P5)
            .fma(r, FloatVector.broadcast(SPECIES, Softmax.P4));
    p = p.fma(r, FloatVector.broadcast(SPECIES, Softmax.P3));
    p = p.fma(r, FloatVector.broadcast(SPECIES, Softmax.P2));
    p = p.fma(r, FloatVector.broadcast(SPECIES, Softmax.P1));
    p = p.fma(r, FloatVector.broadcast(SPECIES, Softmax.P0));
    FloatVector y = p.fma(r.mul(r), r).add(1f);
    IntVector bits = (IntVector) k.convert(VectorOperators.F2I, 0);
    FloatVector scale = bits.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return y.mul(scale).blend(0f, x.compare(VectorOperators.LT, Softmax.EXP_CUTOFF));
  }

  private static final class Scorer implements CandidateScorer {
    private final boolean laneBlocks;
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

    /**
     * Interests for the whole-catalogue loops, grouped by the accumulators one loop keeps:
     * interests {@code [g, g + w)} (w = 8, 4 or 1) are {@code w} floats per dimension at {@code
     * ug[g * dim + d * w + (k - g)] = u_k[d]}, read at a constant stride.
     */
    private final float[] ug;

    /** Interests {@code [0, group8End)} go eight per loop, then four, then one. */
    private final int group8End;

    private final int group4End;

    /** One lane group's dot products: {@code st[k * LANES + c] = s_k} of lane c. */
    private final float[] st;

    /** One lane group's {@code max_k s_k}, lane by lane. */
    private final float[] mx = new float[LANES];

    /** One survivor's dot products, contiguous for {@link Softmax} (nPad, zero past n). */
    private final float[] sc;

    /** One survivor's exponentials, {@link #exps}. */
    private final float[] e;

    /** For {@link #upperBounds}: {@code max_k ||u_k||_1} and the error terms of the int8 copy. */
    private final double l1Max;

    private final double factor;
    private final double slack;

    Scorer(float[] interests, int n, int dim, float temperature, boolean laneBlocks) {
      this.laneBlocks = laneBlocks;
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
      this.group8End = n / 8 * 8;
      this.group4End = group8End + (n - group8End) / 4 * 4;
      this.ug = new float[n * dim];
      for (int k = 0; k < n; k++) {
        for (int d = 0; d < dim; d++) {
          ug[ugIndex(k, d)] = interests[k * dim + d];
        }
      }
      this.st = new float[n * LANES];
      this.sc = new float[nPad];
      this.e = new float[nPad];
      this.l1Max = QuantizedItems.l1Max(interests, n, dim);
      this.factor = QuantizedItems.errorFactor(dim);
      this.slack = QuantizedItems.absoluteSlack(dim);
    }

    @Override
    public int blockSize() {
      return SCORE_BLOCK;
    }

    @Override
    public void score(ItemMatrix items, int[] rows, int from, int count, float floor, float[] out) {
      if (laneBlocks && rows == null && from % SCORE_BLOCK == 0) {
        scoreCatalogue(items.laneBlocks(LANES), from, count, floor, out);
        return;
      }
      for (int start = 0; start < count; start += BLOCK) {
        int part = Math.min(BLOCK, count - start);
        dotBlock(items, rows, from + start, part);
        for (int c = 0; c < part; c++) {
          out[start + c] = softmaxScore(c * nPad, floor);
        }
      }
    }

    /**
     * Whole-catalogue candidates {@code from ..} (from a multiple of {@value #SCORE_BLOCK}), read
     * in place from the lane blocks: candidates across lanes, interests broadcast.
     */
    private void scoreCatalogue(float[] xt, int from, int count, float floor, float[] out) {
      for (int g = 0; g < count; g += LANES) {
        // Block (from + g) / LANES starts at that index times dim * LANES.
        groupDots(xt, (from + g) * dim);
        int part = Math.min(LANES, count - g);
        // One compare per lane group: with the heap full, most have no lane at the floor.
        if (!FloatVector.fromArray(SPECIES, mx, 0).compare(VectorOperators.GE, floor).anyTrue()) {
          java.util.Arrays.fill(out, g, g + part, Float.NaN);
          continue;
        }
        for (int c = 0; c < part; c++) {
          float m = mx[c];
          if (m < floor) {
            out[g + c] = Float.NaN;
            continue;
          }
          for (int k = 0; k < n; k++) {
            sc[k] = st[k * LANES + c];
          }
          out[g + c] = softmax(sc, 0, m);
        }
      }
    }

    /** Fills {@link #st} and {@link #mx} for the lane block at {@code xt[base ..]}. */
    private void groupDots(float[] xt, int base) {
      java.util.Arrays.fill(mx, Float.NEGATIVE_INFINITY);
      int g = 0;
      for (; g < group8End; g += 8) {
        dot8Lanes(xt, base, g);
      }
      for (; g < group4End; g += 4) {
        dot4Lanes(xt, base, g);
      }
      for (; g < n; g++) {
        dot1Lanes(xt, base, g);
      }
    }

    /** Interests {@code g .. g + 7}: eight independent FMA chains. */
    private void dot8Lanes(float[] xt, int base, int g) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      float[] u = ug;
      int ub = g * dim;
      for (int d = 0; d < dim; d++) {
        FloatVector x = FloatVector.fromArray(SPECIES, xt, base + d * LANES);
        int o = ub + d * 8;
        a0 = x.fma(bcast(u[o]), a0);
        a1 = x.fma(bcast(u[o + 1]), a1);
        a2 = x.fma(bcast(u[o + 2]), a2);
        a3 = x.fma(bcast(u[o + 3]), a3);
        a4 = x.fma(bcast(u[o + 4]), a4);
        a5 = x.fma(bcast(u[o + 5]), a5);
        a6 = x.fma(bcast(u[o + 6]), a6);
        a7 = x.fma(bcast(u[o + 7]), a7);
      }
      int o = g * LANES;
      a0.intoArray(st, o);
      a1.intoArray(st, o + LANES);
      a2.intoArray(st, o + 2 * LANES);
      a3.intoArray(st, o + 3 * LANES);
      a4.intoArray(st, o + 4 * LANES);
      a5.intoArray(st, o + 5 * LANES);
      a6.intoArray(st, o + 6 * LANES);
      a7.intoArray(st, o + 7 * LANES);
      updateMax(a0.max(a1).max(a2.max(a3)).max(a4.max(a5).max(a6.max(a7))));
    }

    /** Interests {@code g .. g + 3}: four chains. */
    private void dot4Lanes(float[] xt, int base, int g) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      float[] u = ug;
      int ub = g * dim;
      for (int d = 0; d < dim; d++) {
        FloatVector x = FloatVector.fromArray(SPECIES, xt, base + d * LANES);
        int o = ub + d * 4;
        a0 = x.fma(bcast(u[o]), a0);
        a1 = x.fma(bcast(u[o + 1]), a1);
        a2 = x.fma(bcast(u[o + 2]), a2);
        a3 = x.fma(bcast(u[o + 3]), a3);
      }
      int o = g * LANES;
      a0.intoArray(st, o);
      a1.intoArray(st, o + LANES);
      a2.intoArray(st, o + 2 * LANES);
      a3.intoArray(st, o + 3 * LANES);
      updateMax(a0.max(a1).max(a2.max(a3)));
    }

    /** Interest {@code g} alone (at most three of them, after the eights and fours). */
    private void dot1Lanes(float[] xt, int base, int g) {
      FloatVector a = FloatVector.zero(SPECIES);
      int ub = g * dim;
      for (int d = 0; d < dim; d++) {
        a = FloatVector.fromArray(SPECIES, xt, base + d * LANES).fma(bcast(ug[ub + d]), a);
      }
      a.intoArray(st, g * LANES);
      updateMax(a);
    }

    /**
     * {@code mx = max(mx, v)} lane by lane (kept in memory: cheaper here than a returned vector).
     */
    private void updateMax(FloatVector v) {
      FloatVector.fromArray(SPECIES, mx, 0).max(v).intoArray(mx, 0);
    }

    @Override
    public void upperBounds(QuantizedItems items, int[] rows, int from, int count, float[] out) {
      // The same FMA loops over the codes widened to floats (exact: |c| <= 127), so each lane's
      // a_k is the scalar twin's, bit for bit.
      byte[] codes = items.codes();
      float[] scales = items.scales();
      for (int start = 0; start < count; start += BLOCK) {
        int part = Math.min(BLOCK, count - start);
        for (int c = 0; c < BLOCK; c++) {
          int o = offset(rows, from + start, c, part);
          int xo = c * dim;
          for (int d = 0; d < dim; d++) {
            xs[xo + d] = codes[o + d];
          }
        }
        dotStaged();
        for (int c = 0; c < part; c++) {
          int i = from + start + c;
          float scale = scales[rows == null ? i + 1 : rows[i]];
          out[start + c] = QuantizedItems.upperBound(scale, max(c * nPad), l1Max, factor, slack);
        }
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

    /** Position of {@code u_k[d]} in {@link #ug}. */
    private int ugIndex(int k, int d) {
      int width = k < group8End ? 8 : k < group4End ? 4 : 1;
      int g = k < group8End ? k - k % 8 : k < group4End ? k - (k - group8End) % 4 : k;
      return g * dim + d * width + (k - g);
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
      return softmax(s, base, max);
    }

    /**
     * {@link Softmax#weightedScore} of the candidate at {@code src[base .. base + n)}, with the
     * exponentials computed a vector at a time ({@code src} readable up to {@code base + nPad}).
     */
    private float softmax(float[] src, int base, float max) {
      exps(src, base, nPad, max, temperature, e);
      return Softmax.weightedScore(src, base, e, n, max);
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
