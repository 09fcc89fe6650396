package dev.hcn.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Eq. 8 and top-k computed by ONNX Runtime over the same items and candidates as the Java kernel,
 * for {@link ScoringBenchmark}: the tensors are built once (items and rows wrap direct buffers, so
 * a run copies nothing in), and each call runs the graph with one intra-op thread.
 */
final class OnnxScoring implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final Map<String, OnnxTensor> inputs;
  private final int[] rowOf;

  private OnnxScoring(OrtSession session, Map<String, OnnxTensor> inputs, int[] rowOf) {
    this.session = session;
    this.inputs = inputs;
    this.rowOf = rowOf;
  }

  static OnnxScoring open(
      Path graph, ItemMatrix items, int[] rows, int count, float[] interests, int n, int k) {
    if (!Files.isRegularFile(graph)) {
      throw new IllegalStateException(
          graph + " missing: run ranking-service/bench.sh (it writes the graph with python3)");
    }
    try {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession session;
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(graph.toString(), options);
      }
      int dim = items.dim();
      FloatBuffer x = direct(items.data().length * 4).asFloatBuffer().put(items.data()).flip();
      int[] rowOf = new int[count];
      LongBuffer r = direct(count * 8).asLongBuffer();
      for (int i = 0; i < count; i++) {
        rowOf[i] = rows == null ? i + 1 : rows[i];
        r.put(rowOf[i]);
      }
      r.flip();
      FloatBuffer ut = direct(interests.length * 4).asFloatBuffer();
      for (int d = 0; d < dim; d++) {
        for (int j = 0; j < n; j++) {
          ut.put(interests[j * dim + d]);
        }
      }
      ut.flip();
      LongBuffer kb = direct(8).asLongBuffer().put(k).flip();
      Map<String, OnnxTensor> inputs =
          Map.of(
              "items", OnnxTensor.createTensor(env, x, new long[] {items.rows(), dim}),
              "rows", OnnxTensor.createTensor(env, r, new long[] {count}),
              "ut", OnnxTensor.createTensor(env, ut, new long[] {dim, n}),
              "k", OnnxTensor.createTensor(env, kb, new long[] {1}));
      return new OnnxScoring(session, inputs, rowOf);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot open " + graph + ": " + e.getMessage(), e);
    }
  }

  /** The top-k scores, best first. */
  float[] topK() {
    try (OrtSession.Result result = session.run(inputs)) {
      return (float[]) result.get(0).getValue();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many of the Java kernel's top-k rows the graph also returns. */
  int agreement(TopKResult java) {
    try (OrtSession.Result result = session.run(inputs)) {
      long[] positions = (long[]) result.get(1).getValue();
      Set<Integer> onnxRows = new HashSet<>();
      for (long p : positions) {
        onnxRows.add(rowOf[(int) p]);
      }
      int same = 0;
      for (int row : java.rows()) {
        same += onnxRows.contains(row) ? 1 : 0;
      }
      return same;
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    inputs.values().forEach(OnnxTensor::close);
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }
}
