package dev.hcn.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * The user tower, batch 1, in ONNX Runtime from Java, under the session options worth trying:
 * intra-op threads, graph optimisation level, memory pattern. Two ways of calling it:
 *
 * <ul>
 *   <li>{@code reused}: what {@link UserTower} does: tensors over direct buffers made once, ids
 *       rewritten in place, the output pinned into a buffer of its own;
 *   <li>{@code fresh}: a direct buffer and three tensors allocated per call and the output copied
 *       out of the result (the previous code).
 * </ul>
 *
 * The bundle comes from {@code -Dhcn.bench.bundle} or the environment's {@code HCN_BENCH_BUNDLE}
 * (default: the synthetic industrial bundle, {@code python -m hcn.synthetic}); full-length
 * histories of random items. Run with {@code ranking-service/bench.sh TowerBenchmark}, which also
 * times PyTorch eager on the same bundle and prints the ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TowerBenchmark {

  /**
   * threads-optimisation[-nomempattern][-batch1]; batch1 fixes the graph's symbolic batch dimension
   * to 1 (what {@link UserTower} always feeds), so the optimiser can fold the shape arithmetic.
   */
  @Param({"t1-all", "t1-all-batch1", "t2-all", "t1-extended", "t1-basic", "t1-all-nomempattern"})
  public String variant;

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private OrtSession session;
  private BundleManifest manifest;
  private final List<long[]> inputs = new ArrayList<>();
  private Map<String, OnnxTensor> reusedInputs;
  private Map<String, OnnxTensor> pinnedOutput;
  private LongBuffer[] reusedBuffers;
  private FloatBuffer out;
  private int call;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path dir =
        Path.of(
            System.getProperty(
                "hcn.bench.bundle",
                System.getenv()
                    .getOrDefault("HCN_BENCH_BUNDLE", "model-artifacts/bundles/synthetic-200k")));
    manifest =
        BundleLoader.JSON.readValue(dir.resolve("manifest.json").toFile(), BundleManifest.class);
    String[] v = variant.split("-");
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(Integer.parseInt(v[0].substring(1)));
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(
          switch (v[1]) {
            case "basic" -> OptLevel.BASIC_OPT;
            case "extended" -> OptLevel.EXTENDED_OPT;
            default -> OptLevel.ALL_OPT;
          });
      var flags = List.of(v).subList(2, v.length);
      so.setMemoryPatternOptimization(!flags.contains("nomempattern"));
      if (flags.contains("batch1")) {
        so.setSymbolicDimensionValue(BundleManifest.BATCH_DIMENSION, 1);
      }
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      session = env.createSession(dir.resolve(manifest.tower().file()).toString(), so);
    }
    int rows = manifest.items().rows();
    int[] lengths = lengths();
    Random rnd = new Random(7);
    for (int u = 0; u < 16; u++) {
      long[] all = new long[lengths[0] + lengths[1] + lengths[2]];
      for (int i = 0; i < all.length; i++) {
        all[i] = i < lengths[0] + lengths[1] ? 1 + rnd.nextInt(rows - 1) : 1;
      }
      inputs.add(all);
    }
    reusedBuffers = new LongBuffer[3];
    reusedInputs = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      reusedBuffers[i] = longs(lengths[i]);
      reusedInputs.put(
          name(i), OnnxTensor.createTensor(env, reusedBuffers[i], new long[] {1, lengths[i]}));
    }
    int n = manifest.model().n();
    int dim = manifest.model().dim();
    out = ByteBuffer.allocateDirect(n * dim * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    pinnedOutput =
        Map.of(
            manifest.tower().outputs().get(0).name(),
            OnnxTensor.createTensor(env, out, new long[] {1, n, dim}));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws OrtException {
    reusedInputs.values().forEach(OnnxTensor::close);
    pinnedOutput.values().forEach(OnnxTensor::close);
    session.close();
  }

  @Benchmark
  public float[] reused() throws OrtException {
    long[] all = inputs.get(call++ & 15);
    int[] lengths = lengths();
    for (int i = 0, off = 0; i < 3; off += lengths[i], i++) {
      reusedBuffers[i].put(0, all, off, lengths[i]);
    }
    try (OrtSession.Result r = session.run(reusedInputs, pinnedOutput)) {
      float[] u = new float[out.capacity()];
      out.get(0, u);
      return u;
    }
  }

  @Benchmark
  public float[] fresh() throws OrtException {
    long[] all = inputs.get(call++ & 15);
    int[] lengths = lengths();
    LongBuffer buf =
        ByteBuffer.allocateDirect(all.length * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
    buf.put(all).flip();
    Map<String, OnnxTensor> in = new HashMap<>();
    try {
      for (int i = 0, off = 0; i < 3; off += lengths[i], i++) {
        in.put(
            name(i),
            OnnxTensor.createTensor(env, buf.slice(off, lengths[i]), new long[] {1, lengths[i]}));
      }
      try (OrtSession.Result r = session.run(in)) {
        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] u = new float[fb.remaining()];
        fb.get(u);
        return u;
      }
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }

  private int[] lengths() {
    return new int[] {
      manifest.model().longLength(), manifest.model().shortLength(), manifest.userFeatures().size()
    };
  }

  private String name(int i) {
    return manifest.tower().inputs().get(i).name();
  }

  private static LongBuffer longs(int n) {
    return ByteBuffer.allocateDirect(Math.max(1, n) * 8)
        .order(ByteOrder.nativeOrder())
        .asLongBuffer()
        .limit(n);
  }
}
