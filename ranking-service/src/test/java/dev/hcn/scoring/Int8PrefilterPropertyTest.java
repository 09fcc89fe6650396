package dev.hcn.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Properties of the int8 prefilter over generated cases: its bound is never below the fp32 {@code
 * max(s)}, both kernels compute the same bound bit for bit, and the prefiltered top-k equals the
 * fp32 top-k exactly (ids and scores). Each case is drawn from its own seed, which a failure names;
 * {@code -Dhcn.prop.cases=100000} runs more of them (CI: {@value #DEFAULT_CASES}).
 */
class Int8PrefilterPropertyTest {

  private static final int DEFAULT_CASES = 400;
  private static final int CASES = Integer.getInteger("hcn.prop.cases", DEFAULT_CASES);
  private static final ScoringKernel VECTOR = new VectorScoringKernel();
  private static final ScoringKernel SCALAR = new ScalarScoringKernel();

  private static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(3);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void boundIsNeverBelowTheFp32MaxAndBothKernelsAgree() {
    for (int c = 0; c < CASES; c++) {
      long seed = 0x5eed0000L + c;
      Random rnd = new Random(seed);
      int dim = 1 + rnd.nextInt(140);
      int n = 1 + rnd.nextInt(20);
      int rows = 2 + rnd.nextInt(200);
      ItemMatrix items = awkwardItems(rnd, rows, dim);
      float[] u = awkwardInterests(rnd, n, dim);
      QuantizedItems q = items.quantized();
      int[] candidates = Fixtures.distinctRows(rnd, rows, rows - 1);
      float[] vectorBound = bounds(VECTOR, u, n, q, candidates);
      float[] scalarBound = bounds(SCALAR, u, n, q, candidates);
      assertArrayEquals(scalarBound, vectorBound, "seed " + seed);
      float[] s = new float[n];
      for (int i = 0; i < candidates.length; i++) {
        VECTOR.bind(u, n, dim, 1f).dots(items, candidates[i], s);
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
          max = Math.max(max, s[k]);
        }
        assertTrue(
            vectorBound[i] >= max,
            "seed %d row %d: bound %s < max(s) %s"
                .formatted(seed, candidates[i], vectorBound[i], max));
      }
    }
  }

  @Test
  void prefilteredTopKEqualsTheFp32TopK() {
    int pruned = 0;
    for (int c = 0; c < CASES; c++) {
      long seed = 0x70b0000L + c;
      Random rnd = new Random(seed);
      int dim = 1 + rnd.nextInt(140);
      int n = 1 + rnd.nextInt(20);
      int rows = 1 + rnd.nextInt(c % 10 == 0 ? 30_000 : 3_000);
      ItemMatrix items = awkwardItems(rnd, rows, dim);
      float[] u = awkwardInterests(rnd, n, dim);
      int[] candidates =
          rnd.nextBoolean() ? null : Fixtures.distinctRows(rnd, rows, rnd.nextInt(rows));
      int count = candidates == null ? rows - 1 : candidates.length;
      int k = rnd.nextInt(Math.max(1, Math.min(count + 3, 300)));
      float temperature = new float[] {0.25f, 1f, 3f}[rnd.nextInt(3)];
      ScoringKernel kernel = rnd.nextBoolean() ? VECTOR : SCALAR;
      int threshold = rnd.nextBoolean() ? Integer.MAX_VALUE : 1 + rnd.nextInt(2_000);
      TopKResult fp32 =
          new TopKScorer(kernel, threshold, pool, 4, false)
              .topK(u, n, items, candidates, k, temperature, false);
      TopKResult int8 =
          new TopKScorer(kernel, threshold, pool, 4, true)
              .topK(u, n, items, candidates, k, temperature, false);
      String where = "seed %d (N=%d D=%d n=%d k=%d)".formatted(seed, count, dim, n, k);
      assertArrayEquals(fp32.rows(), int8.rows(), where);
      assertArrayEquals(fp32.scores(), int8.scores(), where);
      pruned += count > 4 * k ? 1 : 0;
    }
    // Most cases have far more candidates than k, so the pruning path really ran.
    assertTrue(pruned > CASES / 2, "cases with pruning: " + pruned);
  }

  @Test
  void quantisationKeepsRowIndicesAndAQuarterOfTheBytes() {
    Random rnd = new Random(7);
    ItemMatrix items = Fixtures.items(rnd, 101, 48);
    QuantizedItems q = QuantizedItems.of(items);
    assertEquals(101, q.rows());
    assertEquals(48, q.dim());
    assertEquals(101 * 48 + 101 * 4, q.bytes());
    // The largest magnitude of each row maps to +-127.
    for (int r = 1; r < 101; r++) {
      int max = 0;
      for (int d = 0; d < 48; d++) {
        max = Math.max(max, Math.abs(q.codes()[r * 48 + d]));
      }
      assertEquals(127, max, "row " + r);
    }
  }

  private static float[] bounds(ScoringKernel kernel, float[] u, int n, QuantizedItems q, int[] r) {
    ScoringKernel.CandidateScorer scorer = kernel.bind(u, n, q.dim(), 1f);
    float[] all = new float[r.length];
    float[] out = new float[scorer.blockSize()];
    for (int i = 0; i < r.length; i += out.length) {
      int c = Math.min(out.length, r.length - i);
      scorer.upperBounds(q, r, i, c, out);
      System.arraycopy(out, 0, all, i, c);
    }
    return all;
  }

  /**
   * Rows of mixed kinds: Gaussian, one dominant element (coarse codes for the rest), tiny and
   * subnormal values, zeros, constants, and exact copies of other rows (ties in score).
   */
  static ItemMatrix awkwardItems(Random rnd, int rows, int dim) {
    float[] data = new float[rows * dim];
    for (int r = 1; r < rows; r++) {
      int o = r * dim;
      switch (rnd.nextInt(7)) {
        case 0, 1 -> {
          for (int d = 0; d < dim; d++) {
            data[o + d] = (float) rnd.nextGaussian();
          }
        }
        case 2 -> {
          for (int d = 0; d < dim; d++) {
            data[o + d] = (float) rnd.nextGaussian() * 1e-3f;
          }
          data[o + rnd.nextInt(dim)] = 50f * (rnd.nextBoolean() ? 1 : -1);
        }
        case 3 -> {
          for (int d = 0; d < dim; d++) {
            data[o + d] = (float) rnd.nextGaussian() * (rnd.nextBoolean() ? 1e-38f : 1e-44f);
          }
        }
        case 4 -> Arrays.fill(data, o, o + dim, rnd.nextBoolean() ? 0f : 0.37f);
        case 5 -> {
          int from = 1 + rnd.nextInt(r);
          System.arraycopy(data, from * dim, data, o, dim);
        }
        default -> {
          for (int d = 0; d < dim; d++) {
            data[o + d] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
          }
        }
      }
    }
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      ids[r] = r == 0 ? -1 : 1000 + r;
    }
    return ItemMatrix.of(data, ids, rows, dim);
  }

  private static float[] awkwardInterests(Random rnd, int n, int dim) {
    float[] u = Fixtures.interests(rnd, n, dim);
    float scale = (float) Math.pow(10, rnd.nextInt(5) - 2);
    for (int i = 0; i < u.length; i++) {
      u[i] *= scale;
    }
    return u;
  }
}
