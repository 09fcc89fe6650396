package dev.hcn.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Vector API kernel against its scalar twin, and both against Eq. 8 computed by hand. */
class KernelParityTest {

  private static final ScoringKernel VECTOR = new VectorScoringKernel();
  private static final ScoringKernel SCALAR = new ScalarScoringKernel();

  static Stream<Arguments> awkwardSizes() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (int dim : new int[] {1, 7, 13, 48, 129}) {
      for (int n : new int[] {1, 3, 8, 16}) {
        for (int candidates : new int[] {0, 1, 13, 10_007}) {
          b.add(Arguments.of(dim, n, candidates));
        }
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "D={0} n={1} N={2}")
  @MethodSource("awkwardSizes")
  void vectorMatchesScalarOnAwkwardSizes(int dim, int n, int candidates) {
    Random rnd = new Random(31L * dim + 7L * n + candidates);
    ItemMatrix items = Fixtures.items(rnd, candidates + 1, dim);
    float[] u = Fixtures.interests(rnd, n, dim);
    int[] rows = Fixtures.distinctRows(rnd, items.rows(), candidates);
    for (float temperature : new float[] {0.5f, 1f}) {
      float[] expected = Fixtures.scoreAll(SCALAR, u, n, items, rows, temperature);
      float[] actual = Fixtures.scoreAll(VECTOR, u, n, items, rows, temperature);
      assertEquals(candidates, actual.length);
      for (int i = 0; i < candidates; i++) {
        // Same fma order per lane and a shared softmax: the tolerance is zero, not just tight.
        assertEquals(expected[i], actual[i], 0f, "candidate " + i + " row " + rows[i]);
        assertTrue(Float.isFinite(actual[i]));
      }
    }
    // The whole catalogue (rows == null) takes the vector kernel's in-place lane-block path.
    for (float temperature : new float[] {0.5f, 1f}) {
      float[] expected = Fixtures.scoreAll(SCALAR, u, n, items, null, temperature);
      float[] actual = Fixtures.scoreAll(VECTOR, u, n, items, null, temperature);
      assertArrayEquals(expected, actual, 0f, "whole catalogue, T=" + temperature);
    }
    // The dot products are bit-identical too: both kernels apply fma sequentially over d.
    float[] sv = new float[n];
    float[] ss = new float[n];
    for (int i = 0; i < Math.min(candidates, 50); i++) {
      VECTOR.bind(u, n, dim, 1f).dots(items, rows[i], sv);
      SCALAR.bind(u, n, dim, 1f).dots(items, rows[i], ss);
      assertArrayEquals(ss, sv);
    }
  }

  @Test
  void theKernelRunsAtTheWidthThisJvmAskedFor() {
    // The build runs these tests again at 256 and 128 bits; this makes each run prove its width.
    String asked = System.getProperty(VectorScoringKernel.WIDTH_PROPERTY);
    int expected =
        asked == null ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(asked);
    assertEquals(expected, VectorScoringKernel.SPECIES.vectorBitSize());
  }

  @Test
  void theWidthPropertyNarrowsTheVectorsOrIsRefused() {
    int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    assertEquals(preferred, VectorScoringKernel.species(null).vectorBitSize());
    assertEquals(preferred, VectorScoringKernel.species(" ").vectorBitSize());
    assertEquals(4, VectorScoringKernel.species("128").length());
    assertEquals(4, VectorScoringKernel.species(" 128 ").length());
    for (String bad : new String[] {"64", "100", "1024", "wide", "-256"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> VectorScoringKernel.species(bad));
      assertTrue(e.getMessage().contains(VectorScoringKernel.WIDTH_PROPERTY), e.getMessage());
    }
    if (preferred < 512) {
      assertThrows(IllegalArgumentException.class, () -> VectorScoringKernel.species("512"));
    }
  }

  @Test
  void catalogueBlocksScoreTheSameFromAnyStart() {
    // Unaligned starts (and lane blocks off) take the staged path, aligned ones the lane blocks.
    Random rnd = new Random(17);
    ItemMatrix items = Fixtures.items(rnd, 200, 37);
    float[] u = Fixtures.interests(rnd, 13, 37);
    float[] expected = Fixtures.scoreAll(SCALAR, u, 13, items, null, 1f);
    for (ScoringKernel kernel : new ScoringKernel[] {VECTOR, new VectorScoringKernel(false)}) {
      ScoringKernel.CandidateScorer scorer = kernel.bind(u, 13, 37, 1f);
      float[] out = new float[scorer.blockSize()];
      for (int start : new int[] {0, 1, 5, 16, 31, 32, 183, 198}) {
        for (int i = start; i < expected.length; i += out.length) {
          int c = Math.min(out.length, expected.length - i);
          scorer.score(items, null, i, c, Float.NEGATIVE_INFINITY, out);
          for (int j = 0; j < c; j++) {
            assertEquals(expected[i + j], out[j], 0f, "start " + start + " candidate " + (i + j));
          }
        }
      }
    }
  }

  @Test
  void bothKernelsComputeEquationEightByHand() {
    // Two interests, dim 3: s = (<u0, x>, <u1, x>) = (1, 2) for x = (1, 2, 0).
    float[] u = {1, 0, 0, 0, 1, 0};
    ItemMatrix items = ItemMatrix.of(new float[] {0, 0, 0, 1, 2, 0}, new long[] {-1, 7}, 2, 3);
    for (float t : new float[] {1f, 0.25f, 4f}) {
      double w1 = Math.exp(1 / t);
      double w2 = Math.exp(2 / t);
      double expected = (w1 * 1 + w2 * 2) / (w1 + w2);
      for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
        float[] got = Fixtures.scoreAll(kernel, u, 2, items, null, t);
        assertEquals(expected, got[0], 1e-6, kernel.getClass().getSimpleName() + " T=" + t);
      }
    }
  }

  @Test
  void scoreLiesBetweenMeanAndMaxOfDotProducts() {
    Random rnd = new Random(5);
    ItemMatrix items = Fixtures.items(rnd, 500, 24);
    float[] u = Fixtures.interests(rnd, 6, 24);
    float[] s = new float[6];
    for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
      float[] scores = Fixtures.scoreAll(kernel, u, 6, items, null, 1f);
      for (int i = 0; i < scores.length; i++) {
        kernel.bind(u, 6, 24, 1f).dots(items, i + 1, s);
        double mean = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : s) {
          mean += v / 6.0;
          max = Math.max(max, v);
        }
        assertTrue(scores[i] <= max, "score above max(s)");
        assertTrue(scores[i] >= mean - 1e-5 * (1 + Math.abs(mean)), "score below mean(s)");
      }
    }
  }

  @Test
  void skippedCandidatesAreOnlyThoseBelowTheFloor() {
    Random rnd = new Random(9);
    ItemMatrix items = Fixtures.items(rnd, 300, 16);
    float[] u = Fixtures.interests(rnd, 5, 16);
    for (ScoringKernel kernel : new ScoringKernel[] {SCALAR, VECTOR}) {
      float[] full = Fixtures.scoreAll(kernel, u, 5, items, null, 1f);
      float floor = full[17];
      ScoringKernel.CandidateScorer scorer = kernel.bind(u, 5, 16, 1f);
      float[] out = new float[scorer.blockSize()];
      float[] s = new float[5];
      for (int i = 0; i < full.length; i += out.length) {
        int c = Math.min(out.length, full.length - i);
        scorer.score(items, null, i, c, floor, out);
        for (int j = 0; j < c; j++) {
          scorer.dots(items, i + j + 1, s);
          float max = Float.NEGATIVE_INFINITY;
          for (float v : s) {
            max = Math.max(max, v);
          }
          if (Float.isNaN(out[j])) {
            assertTrue(max < floor, "skipped a candidate that could reach the floor");
          } else {
            assertEquals(full[i + j], out[j], "a scored candidate must not depend on the floor");
          }
        }
      }
    }
  }

  @Test
  void vectorExponentialsAreTheScalarOnesBitForBit() {
    // Arguments (s - max) / T at every edge of Softmax.exp: zero and negative zero, subnormals,
    // the switches of the range reduction, the cutoff and its neighbours, and a random spread, at
    // each lane position; then -inf from an overflowing difference.
    Random rnd = new Random(17);
    float[] edges = {
      0f,
      -0f,
      -Float.MIN_VALUE,
      -Float.MIN_NORMAL,
      -Math.ulp(1f),
      -0.34657359f,
      -0.34657362f,
      -0.6931472f,
      -1f,
      -10.397208f,
      -43.668274f,
      -86.99999f,
      Softmax.EXP_CUTOFF,
      Math.nextDown(Softmax.EXP_CUTOFF),
      -87.33655f,
      -88f,
      -103.97f,
      -1e30f
    };
    int lanes = VectorScoringKernel.SPECIES.length();
    int count = (edges.length + 4096 + lanes - 1) / lanes * lanes;
    float[] src = new float[count];
    for (int i = 0; i < count; i++) {
      src[i] = i < edges.length ? edges[i] : -90f * rnd.nextFloat();
    }
    float[] expected = new float[count];
    float[] actual = new float[count];
    for (float[] maxAndT : new float[][] {{0f, 1f}, {0f, 0.37f}, {2.5f, 1f}}) {
      float max = maxAndT[0];
      float t = maxAndT[1];
      float[] s = new float[count];
      for (int i = 0; i < count; i++) {
        s[i] = src[i] + max;
      }
      Softmax.exps(s, 0, count, max, t, expected);
      VectorScoringKernel.exps(s, 0, count, max, t, actual);
      assertArrayEquals(expected, actual, 0f, "max " + max + ", T " + t);
    }
    // s - max overflowing to -inf: the weight is 0 in both.
    float[] far = new float[lanes];
    Arrays.fill(far, -3e38f);
    Softmax.exps(far, 0, lanes, 3e38f, 1f, expected);
    VectorScoringKernel.exps(far, 0, lanes, 3e38f, 1f, actual);
    assertArrayEquals(Arrays.copyOf(expected, lanes), Arrays.copyOf(actual, lanes), 0f);
    assertEquals(0f, actual[0], 0f);
  }
}
