package dev.hcn.scoring;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One request's scoring, single thread: the Vector API top-k path, the same path with the scalar
 * kernel, the vector kernel without the max(s) skip, and the memory floor (a vectorised sum over
 * the same rows in the same order). Candidates are every row in shuffled order, as a mapped
 * candidate list would be. Run with {@code ranking-service/bench.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class ScoringBenchmark {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** candidates N : dim D : interests n. */
  @Param({"50000:128:16", "10000:48:8"})
  public String shape;

  @Param({"200"})
  public int k;

  /**
   * shuffled: a candidate list of every row in random order (rows are read out of order);
   * catalogue: the whole catalogue (null candidates, rows read in order).
   */
  @Param({"shuffled", "catalogue"})
  public String candidates;

  private int n;
  private int dim;
  private ItemMatrix items;
  private float[] interests;
  private int[] rows;
  private int count;
  private TopKScorer vector;
  private TopKScorer scalar;

  @Setup(Level.Trial)
  public void setUp() {
    String[] p = shape.split(":");
    int count = Integer.parseInt(p[0]);
    dim = Integer.parseInt(p[1]);
    n = Integer.parseInt(p[2]);
    Random rnd = new Random(42);
    items = Fixtures.items(rnd, count + 1, dim);
    interests = Fixtures.interests(rnd, n, dim);
    this.count = count;
    rows = candidates.equals("catalogue") ? null : Fixtures.distinctRows(rnd, count + 1, count);
    vector = new TopKScorer(new VectorScoringKernel(), Integer.MAX_VALUE, null);
    scalar = new TopKScorer(new ScalarScoringKernel(), Integer.MAX_VALUE, null);
  }

  @Benchmark
  public TopKResult vectorTopK() {
    return vector.topK(interests, n, items, rows, k, 1f, false);
  }

  @Benchmark
  public TopKResult scalarTopK() {
    return scalar.topK(interests, n, items, rows, k, 1f, false);
  }

  /** Every candidate's full score (no max(s) skip): what the bound saves. */
  @Benchmark
  public float vectorAllScores() {
    ScoringKernel.CandidateScorer scorer = new VectorScoringKernel().bind(interests, n, dim, 1f);
    float[] out = new float[scorer.blockSize()];
    float sum = 0f;
    for (int i = 0; i < count; i += out.length) {
      int c = Math.min(out.length, count - i);
      scorer.score(items, rows, i, c, Float.NEGATIVE_INFINITY, out);
      sum += out[0];
    }
    return sum;
  }

  /** Reads the same rows once, in the same order: the memory floor for any scoring kernel. */
  @Benchmark
  public float memoryFloor() {
    float[] x = items.data();
    int lanes = SPECIES.length();
    int bound = SPECIES.loopBound(dim);
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = a0;
    float tail = 0f;
    for (int i = 0; i < count; i++) {
      int o = (rows == null ? i + 1 : rows[i]) * dim;
      int d = 0;
      for (; d + 2 * lanes <= bound; d += 2 * lanes) {
        a0 = a0.add(FloatVector.fromArray(SPECIES, x, o + d));
        a1 = a1.add(FloatVector.fromArray(SPECIES, x, o + d + lanes));
      }
      for (; d < bound; d += lanes) {
        a0 = a0.add(FloatVector.fromArray(SPECIES, x, o + d));
      }
      for (; d < dim; d++) {
        tail += x[o + d];
      }
    }
    return a0.add(a1).reduceLanes(VectorOperators.ADD) + tail;
  }
}
