package dev.hcn.model;

import java.util.List;
import java.util.Map;

/**
 * The parsed {@code manifest.json} of a model bundle (format {@code hcn-bundle/1}). Field names
 * follow the file's snake_case through the reader's naming strategy.
 */
public record BundleManifest(
    String format,
    String name,
    String version,
    String createdAt,
    ModelConfig model,
    Tower tower,
    Items items,
    List<UserFeature> userFeatures,
    String demoHistories,
    String golden,
    String itemsMeta,
    Map<String, String> files) {

  public static final String FORMAT = "hcn-bundle/1";

  /** The tower's symbolic batch dimension (docs/bundle-format.md): -1 in the manifest's shapes. */
  public static final String BATCH_DIMENSION = "batch";

  /** HCN hyper-parameters the Java side needs. */
  public record ModelConfig(
      int n, int dim, int heads, int layers, int longLength, int shortLength, float temperature) {}

  /** The ONNX user tower and its declared signature. */
  public record Tower(String file, int opset, List<TensorSpec> inputs, List<TensorSpec> outputs) {}

  /** One declared tower input or output; -1 in {@code shape} is a dynamic dimension. */
  public record TensorSpec(String name, String dtype, List<Long> shape) {}

  /** The item matrix files and their size. */
  public record Items(String embeddings, String ids, int rows, int dim) {}

  /** One user feature: raw value to index 1..V (0 is missing or unknown). */
  public record UserFeature(String name, Map<String, Integer> vocab) {}
}
