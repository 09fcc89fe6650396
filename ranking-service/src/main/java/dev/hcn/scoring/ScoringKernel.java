package dev.hcn.scoring;

/**
 * Computes paper Eq. 8 for candidate rows: {@code s_k = <u_k, x>}, {@code w = softmax(s / T)},
 * {@code score = sum_k w_k s_k}. Two implementations: {@link VectorScoringKernel} (production) and
 * its plain-Java twin {@link ScalarScoringKernel} (reference for tests and benchmarks).
 *
 * <p>Invariants every implementation keeps, which {@link TopKScorer} relies on for an exact result:
 *
 * <ul>
 *   <li>a candidate's score does not depend on which other candidates share its block, nor on the
 *       block's position, so splitting the candidates across threads cannot change a result;
 *   <li>the returned score never exceeds the computed {@code max(s)}, so skipping a candidate with
 *       {@code max(s) < floor} never drops a candidate that would have entered the top-k;
 *   <li>scores are finite and never {@code -0.0f};
 *   <li>{@link CandidateScorer#upperBounds} is never below the {@code max(s)} that {@link
 *       CandidateScorer#score} computes for the same candidate, so pruning with it is exact too;
 *       both kernels return bit-identical bounds.
 * </ul>
 */
public interface ScoringKernel {

  /**
   * Binds one request's interests. The caller has validated the arguments (see {@link
   * TopKScorer#topK}); the returned scorer may keep scratch space, so each thread binds its own.
   *
   * @param interests {@code n * dim} floats, interest k at {@code [k * dim, (k + 1) * dim)}
   */
  CandidateScorer bind(float[] interests, int n, int dim, float temperature);

  /** One request's interests bound to a kernel; not thread-safe. */
  interface CandidateScorer {

    /** How many candidates {@link #score} handles per call at most. */
    int blockSize();

    /**
     * Scores candidates {@code from .. from + count - 1}; candidate i is row {@code rows[i]}, or
     * row {@code i + 1} when {@code rows} is null (the whole catalogue without padding row 0).
     *
     * @param count {@code 1 .. blockSize()}
     * @param floor candidates with {@code max(s) < floor} may be skipped: their score cannot reach
     *     it. Pass {@code Float.NEGATIVE_INFINITY} to score everything.
     * @param out receives each candidate's score at {@code out[0 .. count)}, or {@code NaN} where
     *     it was skipped
     */
    void score(ItemMatrix items, int[] rows, int from, int count, float floor, float[] out);

    /**
     * Upper bounds on each candidate's {@code max(s)} from the int8 copy of the items (see {@link
     * QuantizedItems} for why it holds): candidates as in {@link #score}, bounds to {@code out[0 ..
     * count)}.
     */
    void upperBounds(QuantizedItems items, int[] rows, int from, int count, float[] out);

    /** Writes the n dot products {@code s_k = <u_k, x_row>} to {@code out[0 .. n)}. */
    void dots(ItemMatrix items, int row, float[] out);
  }
}
