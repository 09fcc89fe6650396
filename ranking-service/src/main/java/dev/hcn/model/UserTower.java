package dev.hcn.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * The HCN user tower in ONNX Runtime: one session per bundle, shared by all requests ({@code
 * OrtSession.run} is thread-safe). Inputs go in as direct native-order buffers, which ONNX Runtime
 * wraps without copying; every tensor and result is closed before returning.
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
    // One direct allocation for all three inputs, sliced.
    int total = longLength + shortLength + features;
    LongBuffer all =
        ByteBuffer.allocateDirect(Math.max(total, 1) * Long.BYTES)
            .order(ByteOrder.nativeOrder())
            .asLongBuffer();
    LongBuffer longBuf = slice(all, 0, input.longIds());
    LongBuffer shortBuf = slice(all, longLength, input.shortIds());
    LongBuffer featBuf = slice(all, longLength + shortLength, input.featureIds());
    try (OnnxTensor longT = OnnxTensor.createTensor(env, longBuf, new long[] {1, longLength});
        OnnxTensor shortT = OnnxTensor.createTensor(env, shortBuf, new long[] {1, shortLength});
        OnnxTensor featT = OnnxTensor.createTensor(env, featBuf, new long[] {1, features});
        OrtSession.Result result =
            session.run(Map.of(longName, longT, shortName, shortT, featuresName, featT))) {
      OnnxValue value =
          result
              .get(outputName)
              .orElseThrow(() -> new IllegalStateException("tower gave no " + outputName));
      FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
      if (out.remaining() != interests * dim) {
        throw new IllegalStateException(
            "tower output has " + out.remaining() + " floats, expected " + interests * dim);
      }
      float[] u = new float[interests * dim];
      out.get(u);
      return u;
    } catch (OrtException e) {
      throw new IllegalStateException("user tower failed: " + e.getMessage(), e);
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
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX session failed", e);
    }
  }

  private static LongBuffer slice(LongBuffer all, int offset, long[] values) {
    LongBuffer s = all.slice(offset, values.length);
    s.put(values).flip();
    return s;
  }

  private static void check(String name, long[] values, int expected) {
    if (values.length != expected) {
      throw new IllegalArgumentException(
          name + " has " + values.length + " entries, the tower expects " + expected);
    }
  }
}
