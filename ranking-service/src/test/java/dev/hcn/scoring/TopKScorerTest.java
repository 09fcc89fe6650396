package dev.hcn.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TopKScorerTest {

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

  /**
   * Random n, D, N, k and temperature; duplicated embeddings (equal scores) under duplicated and
   * distinct ids; compared with a full sort of every candidate's score from the same kernel.
   */
  @Test
  void topKEqualsFullSortForManyRandomCases() {
    for (long seed = 0; seed < 400; seed++) {
      Random rnd = new Random(seed);
      // n = 1 makes score == max(s), so equal scores sit exactly on the skip bound.
      int n = rnd.nextInt(4) == 0 ? 1 : 1 + rnd.nextInt(20);
      int dim = 1 + rnd.nextInt(70);
      int rows = 1 + rnd.nextInt(400);
      ItemMatrix items = itemsWithTies(rnd, rows, dim);
      float[] u = Fixtures.interests(rnd, n, dim);
      int[] candidates =
          rnd.nextInt(4) == 0 ? null : Fixtures.distinctRows(rnd, rows, rnd.nextInt(rows));
      int count = candidates == null ? rows - 1 : candidates.length;
      int k = rnd.nextInt(count + 5);
      float temperature = new float[] {0.1f, 1f, 3f}[rnd.nextInt(3)];
      for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
        TopKResult got =
            new TopKScorer(kernel, 64, pool, 4)
                .topK(u, n, items, candidates, k, temperature, false);
        int[] expected = fullSort(kernel, u, n, items, candidates, temperature);
        int[] expectedTop = Arrays.copyOf(expected, Math.min(k, count));
        String where = "seed " + seed + " " + kernel.getClass().getSimpleName();
        assertArrayEquals(expectedTop, got.rows(), where);
        assertNull(got.dominant());
      }
    }
  }

  @Test
  void parallelEqualsSequential() {
    Random rnd = new Random(11);
    ItemMatrix items = itemsWithTies(rnd, 20_000, 32);
    float[] u = Fixtures.interests(rnd, 8, 32);
    int[] candidates = Fixtures.distinctRows(rnd, items.rows(), 15_000);
    for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
      for (int[] rows : new int[][] {candidates, null}) {
        TopKResult sequential =
            new TopKScorer(kernel, 1, null).topK(u, 8, items, rows, 300, 1f, true);
        for (int threshold : new int[] {1, 999, 4_000}) {
          TopKResult parallel =
              new TopKScorer(kernel, threshold, pool, 7).topK(u, 8, items, rows, 300, 1f, true);
          assertArrayEquals(sequential.rows(), parallel.rows());
          assertArrayEquals(sequential.scores(), parallel.scores());
          assertArrayEquals(sequential.dominant(), parallel.dominant());
        }
      }
    }
  }

  @Test
  void kAtLeastCandidateCountReturnsAllSorted() {
    Random rnd = new Random(3);
    ItemMatrix items = Fixtures.items(rnd, 40, 9);
    float[] u = Fixtures.interests(rnd, 3, 9);
    int[] candidates = {5, 9, 1, 33, 20};
    for (int k : new int[] {5, 6, 1000}) {
      TopKResult r = new TopKScorer(VECTOR, 100, null).topK(u, 3, items, candidates, k, 1f, false);
      assertEquals(5, r.rows().length);
      assertArrayEquals(
          IntStream.of(candidates).sorted().toArray(), IntStream.of(r.rows()).sorted().toArray());
      for (int i = 1; i < 5; i++) {
        assertTrue(r.scores()[i - 1] >= r.scores()[i]);
      }
    }
    TopKResult none = new TopKScorer(VECTOR, 100, null).topK(u, 3, items, candidates, 0, 1f, true);
    assertEquals(0, none.rows().length);
    TopKResult empty =
        new TopKScorer(VECTOR, 100, null).topK(u, 3, items, new int[0], 10, 1f, false);
    assertEquals(0, empty.rows().length);
  }

  @Test
  void wholeCatalogueExcludesPaddingRow() {
    // Row 0 would outscore everything if it were a candidate.
    float[] data = {50, 50, 1, 0, 0, 1, -1, -1};
    ItemMatrix items = ItemMatrix.of(data, new long[] {-1, 10, 11, 12}, 4, 2);
    float[] u = {1, 1};
    TopKResult r = new TopKScorer(VECTOR, 100, null).topK(u, 1, items, null, 10, 1f, false);
    assertArrayEquals(new int[] {1, 2, 3}, r.rows());
    assertArrayEquals(new float[] {1, 1, -2}, r.scores());
  }

  @Test
  void equalScoresAreOrderedByExternalIdNotRow() {
    float[] data = {0, 0, 1, 1, 1, 1, 1, 1, 2, 2};
    ItemMatrix items = ItemMatrix.of(data, new long[] {-1, 30, 10, 20, 5}, 5, 2);
    float[] u = {1, 0, 0, 1};
    for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
      TopKResult r = new TopKScorer(kernel, 100, null).topK(u, 2, items, null, 3, 1f, false);
      // Row 4 scores 2; rows 1..3 tie at 1 and are ordered by id 10 (row 2) < 20 (row 3) < 30.
      assertArrayEquals(new int[] {4, 2, 3}, r.rows());
    }
  }

  @Test
  void explainReturnsInterestWithLargestWeight() {
    // dim 4, three interests picking one coordinate each: s = (x0, x1, x2).
    float[] u = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    float[] data = {0, 0, 0, 0, 1, 5, 2, 0, 3, 0, 1, 9, 0, 1, 7, 0, 4, 4, 4, 0};
    ItemMatrix items = ItemMatrix.of(data, new long[] {-1, 1, 2, 3, 4}, 5, 4);
    for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
      TopKResult r = new TopKScorer(kernel, 100, null).topK(u, 3, items, null, 4, 1f, true);
      int[] expected = new int[r.rows().length];
      for (int i = 0; i < expected.length; i++) {
        expected[i] =
            switch (r.rows()[i]) {
              case 1 -> 1; // s = (1, 5, 2)
              case 2 -> 0; // s = (3, 0, 1)
              case 3 -> 2; // s = (0, 1, 7)
              default -> 0; // s = (4, 4, 4): lowest index on a tie
            };
      }
      assertArrayEquals(expected, r.dominant());
    }
  }

  /**
   * The explain weights are Eq. 8's alpha: a softmax over s / T that sums to 1, peaks at the
   * dominant interest and reproduces the returned score as sum alpha_k s_k.
   */
  @Test
  void explainWeightsAreTheSoftmaxThatProducedTheScore() {
    for (long seed = 0; seed < 60; seed++) {
      Random rnd = new Random(seed);
      int n = 1 + rnd.nextInt(17);
      int dim = 1 + rnd.nextInt(40);
      ItemMatrix items = Fixtures.items(rnd, 2 + rnd.nextInt(200), dim);
      float[] u = Fixtures.interests(rnd, n, dim);
      float t = new float[] {0.25f, 1f, 3f}[rnd.nextInt(3)];
      for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
        TopKResult r = new TopKScorer(kernel, 100, null).topK(u, n, items, null, 10, t, true);
        for (int i = 0; i < r.rows().length; i++) {
          float[] w = r.weights()[i];
          double[] s = new double[n];
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < n; k++) {
            for (int d = 0; d < dim; d++) {
              s[k] += (double) u[k * dim + d] * items.row(r.rows()[i])[d];
            }
            max = Math.max(max, s[k]);
          }
          double sum = 0;
          for (int k = 0; k < n; k++) {
            sum += Math.exp((s[k] - max) / t);
          }
          double total = 0;
          double weighted = 0;
          for (int k = 0; k < n; k++) {
            assertEquals(Math.exp((s[k] - max) / t) / sum, w[k], 1e-5, "seed " + seed);
            assertTrue(w[k] <= w[r.dominant()[i]], "dominant has the largest weight");
            total += w[k];
            weighted += w[k] * s[k];
          }
          assertEquals(1.0, total, 1e-5);
          assertEquals(r.scores()[i], weighted, 1e-4 * Math.max(1, Math.abs(weighted)));
        }
      }
    }
    TopKResult plain =
        new TopKScorer(VECTOR, 100, null)
            .topK(new float[] {1, 0}, 1, Fixtures.items(new Random(2), 5, 2), null, 3, 1f, false);
    assertNull(plain.weights());
  }

  /** Each interest's m closest items by inner product, against a full sort of every dot. */
  @Test
  void closestItemsAreTheLargestInnerProductsPerInterest() {
    for (long seed = 0; seed < 80; seed++) {
      Random rnd = new Random(seed);
      int n = 1 + rnd.nextInt(9);
      int dim = 1 + rnd.nextInt(50);
      int rows = 1 + rnd.nextInt(300);
      ItemMatrix items = itemsWithTies(rnd, rows, dim);
      float[] u = Fixtures.interests(rnd, n, dim);
      int m = 1 + rnd.nextInt(8);
      TopKResult[] got = new TopKScorer(VECTOR, 100, null).closest(u, n, items, m);
      assertEquals(n, got.length);
      ScoringKernel.CandidateScorer dots = VECTOR.bind(u, n, dim, 1f);
      float[][] s = new float[rows][n];
      for (int row = 1; row < rows; row++) {
        dots.dots(items, row, s[row]);
      }
      for (int k = 0; k < n; k++) {
        int interest = k;
        Integer[] order =
            IntStream.range(1, rows)
                .boxed()
                .sorted(
                    Comparator.<Integer>comparingDouble(row -> -s[row][interest])
                        .thenComparingLong(items::id)
                        .thenComparingInt(row -> row))
                .limit(m)
                .toArray(Integer[]::new);
        assertArrayEquals(
            Arrays.stream(order).mapToInt(Integer::intValue).toArray(),
            got[k].rows(),
            "seed " + seed + " interest " + k);
        for (int i = 0; i < order.length; i++) {
          assertEquals(s[order[i]][k], got[k].scores()[i]);
        }
      }
    }
  }

  @Test
  void extremeDotProductsGiveFiniteScores() {
    Random rnd = new Random(8);
    int dim = 13;
    int n = 5;
    float[] data = new float[30 * dim];
    for (int i = dim; i < data.length; i++) {
      data[i] = (float) (rnd.nextGaussian() * 1e17);
    }
    long[] ids = LongsFrom.range(30);
    ItemMatrix items = ItemMatrix.of(data, ids, 30, dim);
    float[] u = Fixtures.interests(rnd, n, dim);
    for (int i = 0; i < u.length; i++) {
      u[i] *= 1e17f;
    }
    for (float t : new float[] {1e-30f, 1f, 1e30f}) {
      for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
        float[] scores = Fixtures.scoreAll(kernel, u, n, items, null, t);
        for (float s : scores) {
          assertTrue(Float.isFinite(s), "score " + s + " at T=" + t);
        }
        TopKResult r = new TopKScorer(kernel, 8, pool).topK(u, n, items, null, 7, t, true);
        assertEquals(7, r.rows().length);
      }
    }
    float[] huge = u.clone();
    huge[0] = 3e38f;
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TopKScorer(VECTOR, 8, null).topK(huge, n, items, null, 7, 1f, false));
    assertTrue(e.getMessage().contains("overflow"));
  }

  @Test
  void rejectsInconsistentArguments() {
    ItemMatrix items = Fixtures.items(new Random(1), 10, 4);
    TopKScorer scorer = new TopKScorer(VECTOR, 8, null);
    float[] u = new float[8];
    assertThrows(
        IllegalArgumentException.class, () -> scorer.topK(u, 3, items, null, 5, 1f, false));
    assertThrows(
        IllegalArgumentException.class, () -> scorer.topK(u, 2, items, null, -1, 1f, false));
    for (float t : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
      assertThrows(
          IllegalArgumentException.class, () -> scorer.topK(u, 2, items, null, 5, t, false));
    }
    float[] nan = new float[8];
    nan[3] = Float.NaN;
    assertThrows(
        IllegalArgumentException.class, () -> scorer.topK(nan, 2, items, null, 5, 1f, false));
    assertThrows(IllegalArgumentException.class, () -> new TopKScorer(VECTOR, 0, null));
    for (int[] rows : new int[][] {{1, 0}, {10}, {-3}}) {
      assertThrows(
          IllegalArgumentException.class, () -> scorer.topK(u, 2, items, rows, 5, 1f, false));
    }
  }

  /** Rows in small groups share an embedding (equal scores); some groups also share an id. */
  private static ItemMatrix itemsWithTies(Random rnd, int rows, int dim) {
    float[] data = new float[rows * dim];
    long[] ids = new long[rows];
    ids[0] = -1;
    for (int r = 1; r < rows; r++) {
      boolean copy = r > 1 && rnd.nextInt(3) == 0;
      int src = copy ? 1 + rnd.nextInt(r - 1) : r;
      for (int d = 0; d < dim; d++) {
        data[r * dim + d] = copy ? data[src * dim + d] : (float) rnd.nextGaussian();
      }
      // Ids are shuffled relative to rows so that id order differs from row order.
      ids[r] = copy && rnd.nextBoolean() ? ids[src] : rnd.nextInt(1_000_000);
    }
    return ItemMatrix.of(data, ids, rows, dim);
  }

  /** Candidate rows ordered by score descending, then id, then row: the definition of top-k. */
  private static int[] fullSort(
      ScoringKernel kernel, float[] u, int n, ItemMatrix items, int[] rows, float t) {
    float[] scores = Fixtures.scoreAll(kernel, u, n, items, rows, t);
    int count = scores.length;
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Comparator<Integer> best =
        Comparator.<Integer>comparingDouble(i -> -scores[i])
            .thenComparingLong(i -> items.id(rows == null ? i + 1 : rows[i]))
            .thenComparingInt(i -> rows == null ? i + 1 : rows[i]);
    Arrays.sort(order, best);
    return Arrays.stream(order).mapToInt(i -> rows == null ? i + 1 : rows[i]).toArray();
  }

  private static final class LongsFrom {
    static long[] range(int rows) {
      long[] ids = new long[rows];
      for (int r = 0; r < rows; r++) {
        ids[r] = r == 0 ? -1 : r;
      }
      return ids;
    }
  }
}
