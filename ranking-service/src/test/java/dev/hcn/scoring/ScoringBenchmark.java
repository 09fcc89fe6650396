package dev.hcn.scoring;

import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * One request's scoring, single thread, all in one run so that the ratios compare like with like:
 *
 * <ul>
 *   <li>{@code vectorTopK}: the production path (Vector API kernel, exact top-k with the skip);
 *   <li>{@code stagedTopK}: the same path with the catalogue's lane blocks off ({@code
 *       hcn.ranking.catalogue-lane-blocks=false}): whole-catalogue rows staged like candidate
 *       lists;
 *   <li>{@code scalarTopK}: the same path with the scalar twin;
 *   <li>{@code int8TopK}: the same path with the int8 prefilter (bounds from the int8 copy, fp32
 *       rescoring of the survivors; identical result);
 *   <li>{@code vectorAllScores}: the vector kernel scoring every candidate fully (no skip);
 *   <li>{@code memoryFloor}: streaming the same rows in the same order (a vectorised sum);
 *   <li>{@code broadcastFloor}: the candidate-list kernel's inner loop alone (a vector load and 8
 *       broadcasts from L1 per 8 FMAs), the staged kernel's FMA count;
 *   <li>{@code computeFloor}: a register-only loop of the same number of FMAs (N x n x D, in {@code
 *       SPECIES_PREFERRED} vectors, eight independent chains): the arithmetic alone;
 *   <li>{@code onnxTopK}: the same scores and top-k as an ONNX Runtime graph (Gather, MatMul,
 *       Softmax, weighted sum, TopK; see {@code ranking-service/scoring_graph.py}), one thread.
 * </ul>
 *
 * Run with {@code ranking-service/bench.sh}, which writes the ONNX graph and prints the ratios.
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

  /**
   * Rows in the catalogue that a shuffled list draws its N candidates from; 0 means N (the list is
   * the whole catalogue reordered). The service's industrial shape, 10,000 candidates from 200,000
   * items, reads rows from a catalogue that no longer fits the last-level cache: {@code -p
   * shape=10000:128:16 -p catalogueSize=200000}.
   */
  @Param({"0"})
  public int catalogueSize;

  private int n;
  private int dim;
  private ItemMatrix items;
  private float[] interests;
  private int[] rows;
  private int count;
  private TopKScorer vector;
  private TopKScorer staged;
  private TopKScorer scalar;
  private TopKScorer int8;
  private OnnxScoring onnx;

  /** {@link #broadcastFloor}'s operands: one interest vector per dimension, 8 staged rows. */
  private float[] broadcastU;

  private float[] broadcastX;

  @Setup(Level.Trial)
  public void setUp() {
    String[] p = shape.split(":");
    int count = Integer.parseInt(p[0]);
    dim = Integer.parseInt(p[1]);
    n = Integer.parseInt(p[2]);
    boolean whole = candidates.equals("catalogue");
    int size = catalogueSize == 0 ? count : catalogueSize;
    if (size < count || (whole && size != count)) {
      throw new IllegalArgumentException(
          "catalogueSize %d: at least N (%d), and N itself for the whole catalogue"
              .formatted(catalogueSize, count));
    }
    Random rnd = new Random(42);
    items = Fixtures.items(rnd, size + 1, dim);
    interests = Fixtures.interests(rnd, n, dim);
    this.count = count;
    rows = whole ? null : Fixtures.distinctRows(rnd, size + 1, count);
    vector = new TopKScorer(new VectorScoringKernel(), Integer.MAX_VALUE, null);
    staged = new TopKScorer(new VectorScoringKernel(false), Integer.MAX_VALUE, null);
    scalar = new TopKScorer(new ScalarScoringKernel(), Integer.MAX_VALUE, null);
    int8 = new TopKScorer(new VectorScoringKernel(), Integer.MAX_VALUE, null, true);
    items.quantized();
    broadcastU = new float[dim * SPECIES.length()];
    broadcastX = new float[8 * dim];
    for (int i = 0; i < broadcastU.length; i++) {
      broadcastU[i] = (float) rnd.nextGaussian() * 1e-3f;
    }
    for (int i = 0; i < broadcastX.length; i++) {
      broadcastX[i] = (float) rnd.nextGaussian() * 1e-3f;
    }
    onnx = OnnxScoring.open(GRAPH, items, rows, count, interests, n, k);
    // Same candidates, same answer (up to float rounding in a different summation order).
    int same = onnx.agreement(vector.topK(interests, n, items, rows, k, 1f, false));
    System.out.printf("onnxTopK agrees with vectorTopK on %d of the top %d items%n", same, k);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    onnx.close();
  }

  /** Written by bench.sh (python3 ranking-service/scoring_graph.py), relative to the repository. */
  static final Path GRAPH =
      Path.of(System.getProperty("hcn.bench.graph", "ranking-service/target/jmh/scoring.onnx"));

  @Benchmark
  public float[] onnxTopK() {
    return onnx.topK();
  }

  /**
   * N x n x D multiply-adds in registers only: eight independent FMA chains of SPECIES_PREFERRED
   * vectors (enough to cover FMA latency on the pipes of current x86 cores), no loads.
   */
  @Benchmark
  public float computeFloor() {
    long fmas = (long) count * n * dim / SPECIES.length();
    FloatVector m = FloatVector.broadcast(SPECIES, 0.999f);
    FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
    FloatVector a0 = FloatVector.broadcast(SPECIES, 1f);
    FloatVector a1 = a0.add(c);
    FloatVector a2 = a1.add(c);
    FloatVector a3 = a2.add(c);
    FloatVector a4 = a3.add(c);
    FloatVector a5 = a4.add(c);
    FloatVector a6 = a5.add(c);
    FloatVector a7 = a6.add(c);
    for (long i = 0; i < fmas; i += 8) {
      a0 = a0.fma(m, c);
      a1 = a1.fma(m, c);
      a2 = a2.fma(m, c);
      a3 = a3.fma(m, c);
      a4 = a4.fma(m, c);
      a5 = a5.fma(m, c);
      a6 = a6.fma(m, c);
      a7 = a7.fma(m, c);
    }
    return total(a0, a1, a2, a3, a4, a5, a6, a7);
  }

  /**
   * The candidate-list kernel's inner loop alone, on operands that stay in L1: per block of 8
   * candidates, dimension and interest vector, one vector load and 8 broadcasts from memory feed 8
   * independent FMAs, as in {@code VectorScoringKernel}'s staged loop. N x ceil(n / L) x D FMAs,
   * the staged kernel's count (padding included). Against {@code computeFloor} it shows what the
   * broadcasts cost on this CPU before any staging copy, max, softmax or heap.
   */
  @Benchmark
  public float broadcastFloor() {
    int lanes = SPECIES.length();
    long blocks = (long) (count + 7) / 8 * ((n + lanes - 1) / lanes);
    float[] u = broadcastU;
    float[] x = broadcastX;
    int o1 = dim;
    int o2 = 2 * dim;
    int o3 = 3 * dim;
    int o4 = 4 * dim;
    int o5 = 5 * dim;
    int o6 = 6 * dim;
    int o7 = 7 * dim;
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector a6 = a0;
    FloatVector a7 = a0;
    for (long b = 0; b < blocks; b++) {
      for (int d = 0; d < dim; d++) {
        FloatVector v = FloatVector.fromArray(SPECIES, u, d * lanes);
        a0 = v.fma(FloatVector.broadcast(SPECIES, x[d]), a0);
        a1 = v.fma(FloatVector.broadcast(SPECIES, x[o1 + d]), a1);
        a2 = v.fma(FloatVector.broadcast(SPECIES, x[o2 + d]), a2);
        a3 = v.fma(FloatVector.broadcast(SPECIES, x[o3 + d]), a3);
        a4 = v.fma(FloatVector.broadcast(SPECIES, x[o4 + d]), a4);
        a5 = v.fma(FloatVector.broadcast(SPECIES, x[o5 + d]), a5);
        a6 = v.fma(FloatVector.broadcast(SPECIES, x[o6 + d]), a6);
        a7 = v.fma(FloatVector.broadcast(SPECIES, x[o7 + d]), a7);
      }
    }
    return total(a0, a1, a2, a3, a4, a5, a6, a7);
  }

  /** The eight chains' sum, so that none of them is dead code. */
  private static float total(
      FloatVector a0,
      FloatVector a1,
      FloatVector a2,
      FloatVector a3,
      FloatVector a4,
      FloatVector a5,
      FloatVector a6,
      FloatVector a7) {
    return a0.add(a1)
        .add(a2.add(a3))
        .add(a4.add(a5).add(a6.add(a7)))
        .reduceLanes(VectorOperators.ADD);
  }

  @Benchmark
  public TopKResult vectorTopK() {
    return vector.topK(interests, n, items, rows, k, 1f, false);
  }

  @Benchmark
  public TopKResult stagedTopK() {
    return staged.topK(interests, n, items, rows, k, 1f, false);
  }

  @Benchmark
  public TopKResult int8TopK() {
    return int8.topK(interests, n, items, rows, k, 1f, false);
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
