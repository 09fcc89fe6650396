package dev.hcn.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The HCN user tower in ONNX Runtime: one session per bundle, shared by all requests ({@code
 * OrtSession.run} is thread-safe). Each call borrows a {@link Buffers} set from a pool: native
 * input buffers with their tensors and a pinned output tensor, all allocated once and reused, so a
 * request allocates no direct memory and ONNX Runtime writes the interests straight into a buffer
 * the tower owns. The pool grows to the peak number of concurrent calls (it works the same with
 * virtual threads, where a thread-local would be per request); everything is closed with the tower.
 */
public final class UserTower implements AutoCloseable {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String longName;
  private final String shortName;
  private final String featuresName;
  private final String outputName;
  private final int longLength;
  private final int shortLength;
  private final int features;
  private final int interests;
  private final int dim;
  private final Queue<Buffers> idle = new ConcurrentLinkedQueue<>();
  private final Queue<Buffers> all = new ConcurrentLinkedQueue<>();

  UserTower(OrtEnvironment env, OrtSession session, BundleManifest manifest) {
    this.env = env;
    this.session = session;
    var inputs = manifest.tower().inputs();
    this.longName = inputs.get(0).name();
    this.shortName = inputs.get(1).name();
    this.featuresName = inputs.get(2).name();
    this.outputName = manifest.tower().outputs().get(0).name();
    this.longLength = manifest.model().longLength();
    this.shortLength = manifest.model().shortLength();
    this.features = manifest.userFeatures().size();
    this.interests = manifest.model().n();
    this.dim = manifest.model().dim();
  }

  /**
   * Runs the tower for one user.
   *
   * @return n*D floats, row-major: interest k occupies {@code [k*D, (k+1)*D)}
   * @throws IllegalArgumentException when an input has the wrong length
   */
  public float[] interests(TowerInput input) {
    check("long_ids", input.longIds(), longLength);
    check("short_ids", input.shortIds(), shortLength);
    check("user_features", input.featureIds(), features);
    Buffers b = idle.poll();
    if (b == null) {
      b = new Buffers();
    }
    try {
      b.fill(input);
      try (OrtSession.Result result = session.run(b.inputs, b.outputs)) {
        // The result holds the pinned output, which it does not own; the values are in b.out.
        float[] u = new float[interests * dim];
        b.out.get(0, u);
        return u;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("user tower failed: " + e.getMessage(), e);
    } finally {
      idle.offer(b);
    }
  }

  /** n, the number of interest vectors per user. */
  public int interestCount() {
    return interests;
  }

  public int dim() {
    return dim;
  }

  @Override
  public void close() {
    for (Buffers b; (b = all.poll()) != null; ) {
      b.close();
    }
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX session failed", e);
    }
  }

  /** One call's native inputs and output, tensors wrapping direct buffers (no copies). */
  private final class Buffers implements AutoCloseable {
    private final LongBuffer longIds = longs(longLength);
    private final LongBuffer shortIds = longs(shortLength);
    private final LongBuffer featureIds = longs(features);
    private final FloatBuffer out =
        ByteBuffer.allocateDirect(interests * dim * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxTensor> outputs;

    Buffers() {
      try {
        inputs =
            Map.of(
                longName, OnnxTensor.createTensor(env, longIds, new long[] {1, longLength}),
                shortName, OnnxTensor.createTensor(env, shortIds, new long[] {1, shortLength}),
                featuresName, OnnxTensor.createTensor(env, featureIds, new long[] {1, features}));
        outputs =
            Map.of(outputName, OnnxTensor.createTensor(env, out, new long[] {1, interests, dim}));
      } catch (OrtException e) {
        throw new IllegalStateException(
            "cannot allocate the tower's tensors: " + e.getMessage(), e);
      }
      all.add(this);
    }

    /** Writes the ids in place: the tensors see the new values, their buffers never move. */
    void fill(TowerInput input) {
      longIds.put(0, input.longIds());
      shortIds.put(0, input.shortIds());
      featureIds.put(0, input.featureIds());
    }

    @Override
    public void close() {
      inputs.values().forEach(OnnxTensor::close);
      outputs.values().forEach(OnnxTensor::close);
    }

    private static LongBuffer longs(int n) {
      return ByteBuffer.allocateDirect(Math.max(n, 1) * Long.BYTES)
          .order(ByteOrder.nativeOrder())
          .asLongBuffer()
          .limit(n);
    }
  }

  private static void check(String name, long[] values, int expected) {
    if (values.length != expected) {
      throw new IllegalArgumentException(
          name + " has " + values.length + " entries, the tower expects " + expected);
    }
  }
}
