package dev.hcn.scoring;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernel for Eq. 8 (the production kernel; {@link ScalarScoringKernel} is its twin).
 *
 * <p>Layout: the interests are transposed to {@code ut[d][k]} and padded to a whole number of
 * lanes, so one FMA updates the dot products of {@code L} interests at once and {@code s} comes out
 * as vectors: no horizontal sum per dot product. A block of {@value #BLOCK} candidates is scored
 * together: per dimension, one load of {@code ut[d]} feeds eight FMAs (one per candidate, with
 * {@code x_c[d]} broadcast), which gives eight independent accumulator chains to hide FMA latency
 * and keeps eight rows streaming from memory at once. All of a candidate's dot products therefore
 * come from one pass over its row.
 *
 * <p>Invariants: lane k of a candidate's accumulator is {@code fma(ut[d][k], x[d], acc)} applied
 * sequentially for d = 0..dim-1, the same order as the scalar twin, so dot products are
 * bit-identical to it and independent of the candidate's neighbours in the block. Padding lanes
 * hold {@code s = 0} and get a bias of {@code -inf}, which removes them from the max and gives them
 * zero softmax weight. A short last block repeats its last candidate instead of switching to a
 * different code path, so every score is computed the same way wherever it falls.
 */
public final class VectorScoringKernel implements ScoringKernel {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  static final int BLOCK = 8;

  @Override
  public CandidateScorer bind(float[] interests, int n, int dim, float temperature) {
    return new Scorer(interests, n, dim, temperature);
  }

  private static final class Scorer implements CandidateScorer {
    private final int n;
    private final int nPad;
    private final int dim;
    private final float temperature;

    /** Transposed, padded interests: {@code ut[d * nPad + k] = u_k[d]}, zero for k >= n. */
    private final float[] ut;

    /** 0 for real interests, -inf for padding lanes. */
    private final float[] bias;

    /** Dot products of one block, candidate c at {@code [c * nPad, (c + 1) * nPad)}. */
    private final float[] s;

    Scorer(float[] interests, int n, int dim, float temperature) {
      this.n = n;
      this.nPad = (n + LANES - 1) / LANES * LANES;
      this.dim = dim;
      this.temperature = temperature;
      this.ut = new float[dim * nPad];
      for (int k = 0; k < n; k++) {
        for (int d = 0; d < dim; d++) {
          ut[d * nPad + k] = interests[k * dim + d];
        }
      }
      this.bias = new float[nPad];
      java.util.Arrays.fill(bias, n, nPad, Float.NEGATIVE_INFINITY);
      this.s = new float[BLOCK * nPad];
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
    public void dots(ItemMatrix items, int row, float[] out) {
      float[] x = items.data();
      int xo = row * dim;
      for (int j = 0; j < nPad; j += LANES) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int d = 0, u = j; d < dim; d++, u += nPad) {
          acc = FloatVector.fromArray(SPECIES, ut, u).fma(bcast(x[xo + d]), acc);
        }
        acc.intoArray(s, j);
      }
      System.arraycopy(s, 0, out, 0, n);
    }

    /** Fills {@code s} with the dot products of candidates {@code from .. from + count - 1}. */
    private void dotBlock(ItemMatrix items, int[] rows, int from, int count) {
      float[] x = items.data();
      int o0 = offset(rows, from, 0, count);
      int o1 = offset(rows, from, 1, count);
      int o2 = offset(rows, from, 2, count);
      int o3 = offset(rows, from, 3, count);
      int o4 = offset(rows, from, 4, count);
      int o5 = offset(rows, from, 5, count);
      int o6 = offset(rows, from, 6, count);
      int o7 = offset(rows, from, 7, count);
      for (int j = 0; j < nPad; j += LANES) {
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        for (int d = 0, u = j; d < dim; d++, u += nPad) {
          FloatVector uv = FloatVector.fromArray(SPECIES, ut, u);
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
    }

    /** Row offset of block slot c; slots past {@code count} repeat the last candidate. */
    private int offset(int[] rows, int from, int c, int count) {
      int i = from + Math.min(c, count - 1);
      return (rows == null ? i + 1 : rows[i]) * dim;
    }

    private float softmaxScore(int base, float floor) {
      FloatVector mx = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
      for (int j = 0; j < nPad; j += LANES) {
        mx = mx.max(biased(base, j));
      }
      float max = mx.reduceLanes(VectorOperators.MAX);
      if (max < floor) {
        return Float.NaN;
      }
      FloatVector m = bcast(max);
      FloatVector sumW = FloatVector.zero(SPECIES);
      FloatVector sumWs = FloatVector.zero(SPECIES);
      for (int j = 0; j < nPad; j += LANES) {
        // Exponents are <= 0 (max subtracted): no overflow; padding lanes are -inf -> weight 0.
        FloatVector w = biased(base, j).sub(m).div(temperature).lanewise(VectorOperators.EXP);
        sumW = sumW.add(w);
        sumWs = w.fma(FloatVector.fromArray(SPECIES, s, base + j), sumWs);
      }
      float score = sumWs.reduceLanes(VectorOperators.ADD) / sumW.reduceLanes(VectorOperators.ADD);
      // Same clamp and -0.0f canonicalisation as the scalar twin (see there).
      return Math.min(score, max) + 0f;
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
