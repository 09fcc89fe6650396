package dev.hcn.ranking;

import dev.hcn.model.ModelBundle;
import java.util.List;

/**
 * What {@code GET /v1/model} and gRPC {@code GetModel} report about the serving bundle.
 *
 * @param name bundle name
 * @param version bundle version
 * @param interests n, the number of interest vectors
 * @param dim D, the embedding dimension
 * @param items number of items in the catalogue (rows minus padding)
 * @param longLength L_long
 * @param shortLength L_short
 * @param userFeatures user-feature names in the order the tower expects them
 * @param createdAt creation time from the manifest (ISO-8601)
 */
public record ModelInfo(
    String name,
    String version,
    int interests,
    int dim,
    int items,
    int longLength,
    int shortLength,
    List<String> userFeatures,
    String createdAt) {

  /** What the service reports about {@code bundle}. */
  public static ModelInfo of(ModelBundle bundle) {
    return new ModelInfo(
        bundle.name(),
        bundle.version(),
        bundle.interests(),
        bundle.dim(),
        bundle.itemCount(),
        bundle.longLength(),
        bundle.shortLength(),
        bundle.userFeatures(),
        bundle.manifest().createdAt());
  }
}
