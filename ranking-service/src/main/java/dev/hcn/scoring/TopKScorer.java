package dev.hcn.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Exact top-k under paper Eq. 8, ties by external item id ascending.
 *
 * <p>Since the score is a softmax-weighted mean of {@code s}, {@code mean(s) <= score <= max(s)}.
 * Once the heap holds k items, a candidate whose {@code max(s)} is below the k-th score cannot
 * enter, so the kernel skips its softmax (no {@code exp}); equal is not skipped, because an equal
 * score with a smaller id still wins. The kernels clamp the computed score to the computed max, so
 * the skip is exact, not approximately so.
 *
 * <p>Above {@code parallelThreshold} candidates the work is split into contiguous chunks scored on
 * the executor (the calling thread takes the first), each keeping its own top-k; the union of the
 * local top-ks contains the global one, and the heap order is total, so the merged result equals
 * the sequential one exactly.
 */
public final class TopKScorer {

  private final ScoringKernel kernel;
  private final int parallelThreshold;
  private final Executor executor;
  private final int parallelism;
  private final boolean int8Prefilter;

  /**
   * @param kernel the Vector API kernel in production, the scalar twin in tests
   * @param parallelThreshold candidate count above which work is split across the executor
   * @param executor may be null: never split
   */
  public TopKScorer(ScoringKernel kernel, int parallelThreshold, Executor executor) {
    this(kernel, parallelThreshold, executor, false);
  }

  /** As above; {@code int8Prefilter} bounds candidates from the int8 copy before fp32 scoring. */
  public TopKScorer(
      ScoringKernel kernel, int parallelThreshold, Executor executor, boolean int8Prefilter) {
    this(
        kernel,
        parallelThreshold,
        executor,
        Runtime.getRuntime().availableProcessors(),
        int8Prefilter);
  }

  /** With an explicit upper bound on the number of chunks (tests use more than cores). */
  TopKScorer(ScoringKernel kernel, int parallelThreshold, Executor executor, int parallelism) {
    this(kernel, parallelThreshold, executor, parallelism, false);
  }

  /** As above, with or without the int8 prefilter. */
  TopKScorer(
      ScoringKernel kernel,
      int parallelThreshold,
      Executor executor,
      int parallelism,
      boolean int8Prefilter) {
    if (parallelThreshold < 1) {
      throw new IllegalArgumentException("parallelThreshold must be >= 1: " + parallelThreshold);
    }
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    this.parallelThreshold = parallelThreshold;
    this.executor = executor;
    this.parallelism = parallelism;
    this.int8Prefilter = int8Prefilter;
  }

  /**
   * @param interests {@code n * dim} floats, row-major (interest k at {@code [k * dim, (k + 1) *
   *     dim)})
   * @param candidateRows distinct valid rows {@code >= 1}; null means every row {@code 1 .. rows -
   *     1}
   * @param temperature softmax temperature, finite and positive
   * @throws IllegalArgumentException on inconsistent shapes, a candidate row outside {@code 1 ..
   *     rows - 1}, non-finite interests, a bad k or temperature, or magnitudes for which a float32
   *     dot product could overflow
   */
  public TopKResult topK(
      float[] interests,
      int n,
      ItemMatrix items,
      int[] candidateRows,
      int k,
      float temperature,
      boolean explain) {
    validate(interests, n, items, candidateRows, k, temperature);
    int count = candidateRows == null ? items.rows() - 1 : candidateRows.length;
    int capacity = Math.min(k, count);
    TopKHeap best;
    if (executor == null || count <= parallelThreshold || parallelism < 2) {
      best = scoreRange(interests, n, items, candidateRows, 0, count, capacity, temperature);
    } else {
      best = scoreParallel(interests, n, items, candidateRows, count, capacity, temperature);
    }
    TopKResult result = best.drainBestFirst();
    if (!explain) {
      return result;
    }
    ScoringKernel.CandidateScorer scorer = kernel.bind(interests, n, items.dim(), temperature);
    float[] s = new float[n];
    int[] dominant = new int[result.rows().length];
    float[][] weights = new float[dominant.length][n];
    for (int i = 0; i < dominant.length; i++) {
      scorer.dots(items, result.rows()[i], s);
      dominant[i] = argMax(s, n);
      Softmax.weights(s, n, s[dominant[i]], temperature, weights[i]);
    }
    return new TopKResult(result.rows(), result.scores(), dominant, weights);
  }

  /**
   * For each interest k its {@code m} closest catalogue items by inner product {@code <u_k, x>}
   * (paper Figure 5), best first, ties by external id ascending; exact, over every row {@code 1 ..
   * rows - 1}.
   *
   * @return one result per interest ({@code dominant} and {@code weights} null)
   * @throws IllegalArgumentException as {@link #topK}, or when {@code m < 1}
   */
  public TopKResult[] closest(float[] interests, int n, ItemMatrix items, int m) {
    validate(interests, n, items, null, m, 1f);
    if (m < 1) {
      throw new IllegalArgumentException("m must be >= 1: " + m);
    }
    ScoringKernel.CandidateScorer scorer = kernel.bind(interests, n, items.dim(), 1f);
    TopKHeap[] heaps = new TopKHeap[n];
    for (int k = 0; k < n; k++) {
      heaps[k] = new TopKHeap(items, Math.min(m, items.rows() - 1));
    }
    float[] s = new float[n];
    for (int row = 1; row < items.rows(); row++) {
      scorer.dots(items, row, s);
      for (int k = 0; k < n; k++) {
        if (s[k] >= heaps[k].floor()) {
          heaps[k].offer(row, s[k]);
        }
      }
    }
    TopKResult[] out = new TopKResult[n];
    for (int k = 0; k < n; k++) {
      out[k] = heaps[k].drainBestFirst();
    }
    return out;
  }

  private TopKHeap scoreParallel(
      float[] interests,
      int n,
      ItemMatrix items,
      int[] rows,
      int count,
      int capacity,
      float temperature) {
    int chunks =
        (int) Math.min(parallelism, ((long) count + parallelThreshold - 1) / parallelThreshold);
    int chunkSize = (count + chunks - 1) / chunks;
    List<CompletableFuture<TopKHeap>> forked = new ArrayList<>();
    List<TopKHeap> done = new ArrayList<>();
    for (int from = chunkSize; from < count; from += chunkSize) {
      int lo = from;
      int hi = Math.min(count, from + chunkSize);
      try {
        forked.add(
            CompletableFuture.supplyAsync(
                () -> scoreRange(interests, n, items, rows, lo, hi, capacity, temperature),
                executor));
      } catch (RejectedExecutionException saturated) {
        // A saturated executor costs parallelism, not the request.
        done.add(scoreRange(interests, n, items, rows, lo, hi, capacity, temperature));
      }
    }
    TopKHeap best =
        scoreRange(interests, n, items, rows, 0, Math.min(count, chunkSize), capacity, temperature);
    for (TopKHeap heap : done) {
      best.addAll(heap);
    }
    for (CompletableFuture<TopKHeap> future : forked) {
      try {
        best.addAll(future.join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw e;
      }
    }
    return best;
  }

  private TopKHeap scoreRange(
      float[] interests,
      int n,
      ItemMatrix items,
      int[] rows,
      int from,
      int to,
      int capacity,
      float temperature) {
    ScoringKernel.CandidateScorer scorer = kernel.bind(interests, n, items.dim(), temperature);
    TopKHeap heap = new TopKHeap(items, capacity);
    if (capacity == 0) {
      return heap;
    }
    int block = scorer.blockSize();
    float[] out = new float[block];
    if (int8Prefilter) {
      prefiltered(scorer, items, rows, from, to, heap, out);
      return heap;
    }
    for (int i = from; i < to; ) {
      // Blocks end on multiples of the block size, whatever the chunk's start, so that a kernel
      // can read whole-catalogue blocks in place (same scores, it is only faster).
      int c = Math.min(block - i % block, to - i);
      // The floor is read once per block: a stale (lower) floor only skips less, never wrongly.
      scorer.score(items, rows, i, c, heap.floor(), out);
      for (int j = 0; j < c; j++) {
        if (!Float.isNaN(out[j])) {
          heap.offer(rows == null ? i + j + 1 : rows[i + j], out[j]);
        }
      }
      i += c;
    }
    return heap;
  }

  private static void prefiltered(
      ScoringKernel.CandidateScorer scorer,
      ItemMatrix items,
      int[] rows,
      int from,
      int to,
      TopKHeap heap,
      float[] out) {
    QuantizedItems quantized = items.quantized();
    int block = out.length;
    float[] upper = new float[block];
    int[] survivors = new int[block];
    for (int i = from; i < to; i += block) {
      int c = Math.min(block, to - i);
      float floor = heap.floor();
      int m = 0;
      if (floor == Float.NEGATIVE_INFINITY) {
        // The heap is not full yet: everything enters, a bound would be wasted work.
        for (int j = 0; j < c; j++) {
          survivors[m++] = rows == null ? i + j + 1 : rows[i + j];
        }
      } else {
        scorer.upperBounds(quantized, rows, i, c, upper);
        for (int j = 0; j < c; j++) {
          // Equal is kept: an equal score with a smaller id still wins.
          if (!(upper[j] < floor)) {
            survivors[m++] = rows == null ? i + j + 1 : rows[i + j];
          }
        }
      }
      if (m == 0) {
        continue;
      }
      scorer.score(items, survivors, 0, m, floor, out);
      for (int j = 0; j < m; j++) {
        if (!Float.isNaN(out[j])) {
          heap.offer(survivors[j], out[j]);
        }
      }
    }
  }

  private static void validate(
      float[] interests, int n, ItemMatrix items, int[] rows, int k, float temperature) {
    int dim = items.dim();
    if (rows != null) {
      // Distinctness is the caller's contract; the range is cheap to check and guards the reads.
      for (int row : rows) {
        if (row < 1 || row >= items.rows()) {
          throw new IllegalArgumentException(
              "candidate row %d outside 1..%d".formatted(row, items.rows() - 1));
        }
      }
    }
    if (n < 1 || interests.length != (long) n * dim) {
      throw new IllegalArgumentException(
          "expected %d interests x %d dims = %d floats, got %d"
              .formatted(n, dim, (long) n * dim, interests.length));
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0: " + k);
    }
    if (!(temperature > 0f && temperature <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("temperature must be finite and > 0: " + temperature);
    }
    float maxAbs = 0f;
    for (float v : interests) {
      float a = Math.abs(v);
      if (!(a <= Float.MAX_VALUE)) {
        throw new IllegalArgumentException("interests contain a non-finite value: " + v);
      }
      maxAbs = Math.max(maxAbs, a);
    }
    // |s_k| <= dim * max|u| * max|x|; keeping n * |s| below half the float range means no dot
    // product, difference s - max(s) or weighted sum can overflow, so scores are always finite.
    double bound = (double) dim * maxAbs * items.maxAbs() * n;
    if (bound > Float.MAX_VALUE / 2.0) {
      throw new IllegalArgumentException(
          "interest (max |u| = %s) and item (max |x| = %s) magnitudes could overflow float32 scores"
              .formatted(maxAbs, items.maxAbs()));
    }
  }

  private static int argMax(float[] s, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (s[i] > s[best]) {
        best = i;
      }
    }
    return best;
  }
}
