package dev.hcn.model;

import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * The candidate-mapping stage's lookups: one request's external ids to rows, ids drawn at random
 * from the catalogue (the industrial shape: 10,000 of 200,000 items, ids as sparse as real ones).
 * Run: {@code java -cp <test classpath> org.openjdk.jmh.Main ItemIdIndexBenchmark} (the class path
 * that {@code ranking-service/bench.sh} writes to {@code
 * ranking-service/target/jmh/classpath.txt}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ItemIdIndexBenchmark {

  @Param({"200000"})
  public int catalogue;

  @Param({"10000", "50000"})
  public int candidates;

  /**
   * true: the caches are flushed before every call (128 MB streamed), as in the service, where the
   * tower and the scoring of the previous requests have evicted the index; false: the index stays
   * in the caches between calls.
   */
  @Param({"false", "true"})
  public boolean cold;

  private ItemIdIndex index;
  private long[] ids;
  private float[] flush;

  @Setup
  public void setUp() {
    Random rnd = new Random(42);
    long[] rows = new long[catalogue + 1];
    rows[0] = -1;
    for (int r = 1; r <= catalogue; r++) {
      // Sparse, increasing ids, as catalogues assign them.
      rows[r] = rows[r - 1] + 1 + rnd.nextInt(1000);
    }
    index = ItemIdIndex.of(rows);
    flush = cold ? new float[32 << 20] : null;
    ids = new long[candidates];
    for (int i = 0; i < candidates; i++) {
      ids[i] = rows[1 + rnd.nextInt(catalogue)];
    }
  }

  /** Outside the timed call (JMH times the benchmark method only). */
  @Setup(Level.Invocation)
  public void evict() {
    if (cold) {
      for (int i = 0; i < flush.length; i += 16) {
        flush[i] += 1f;
      }
    }
  }

  /** Sum of the rows, so that no lookup is dead code. */
  @Benchmark
  public long rows() {
    long sum = 0;
    for (long id : ids) {
      sum += index.row(id);
    }
    return sum;
  }
}
