package dev.hcn.scoring;

import java.util.Random;

/** Random matrices and interests for the scoring tests and the benchmark. */
final class Fixtures {
  private Fixtures() {}

  /** Gaussian embeddings; row 0 is zero padding, ids are 1000 + row (row 0 gets -1). */
  static ItemMatrix items(Random rnd, int rows, int dim) {
    float[] data = new float[rows * dim];
    for (int i = dim; i < data.length; i++) {
      data[i] = (float) rnd.nextGaussian();
    }
    long[] ids = new long[rows];
    for (int r = 0; r < rows; r++) {
      ids[r] = r == 0 ? -1 : 1000 + r;
    }
    return ItemMatrix.of(data, ids, rows, dim);
  }

  static float[] interests(Random rnd, int n, int dim) {
    float[] u = new float[n * dim];
    for (int i = 0; i < u.length; i++) {
      u[i] = (float) rnd.nextGaussian();
    }
    return u;
  }

  /** A random selection of {@code count} distinct rows from 1..rows-1, in random order. */
  static int[] distinctRows(Random rnd, int rows, int count) {
    int[] all = new int[rows - 1];
    for (int i = 0; i < all.length; i++) {
      all[i] = i + 1;
    }
    for (int i = 0; i < count; i++) {
      int j = i + rnd.nextInt(all.length - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return java.util.Arrays.copyOf(all, count);
  }

  /** Every candidate's score with no skipping, through the kernel's block interface. */
  static float[] scoreAll(
      ScoringKernel kernel, float[] u, int n, ItemMatrix items, int[] rows, float temperature) {
    ScoringKernel.CandidateScorer scorer = kernel.bind(u, n, items.dim(), temperature);
    int count = rows == null ? items.rows() - 1 : rows.length;
    float[] all = new float[count];
    float[] out = new float[scorer.blockSize()];
    for (int i = 0; i < count; i += out.length) {
      int c = Math.min(out.length, count - i);
      scorer.score(items, rows, i, c, Float.NEGATIVE_INFINITY, out);
      System.arraycopy(out, 0, all, i, c);
    }
    return all;
  }
}
