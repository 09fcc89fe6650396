package dev.hcn.interests;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the model learned about one user: the n interest vectors summarised (norm and closest items,
 * paper Figure 5), their pairwise cosines, and the history they came from with the window each
 * event fell into. Serialised as is by the REST API.
 *
 * @param cosine {@code cosine[i][j]} = cos(u_i, u_j); 0 where an interest is the zero vector
 * @param coldStart the user had no usable history
 * @param fallback a degraded path served the request (the history source failed)
 * @param projection the 2-D PCA view, or {@code null} when not requested
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InterestReport(
    Model model,
    List<Interest> interests,
    float[][] cosine,
    List<HistoryEvent> history,
    boolean coldStart,
    boolean fallback,
    Projection projection) {

  /** The bundle that computed the interests. */
  public record Model(String name, String version) {}

  /**
   * @param index k, the interest's position in the tower output
   * @param norm |u_k|
   * @param closestItems the catalogue items with the largest {@code <u_k, x>}, best first
   */
  public record Interest(int index, float norm, List<ScoredItem> closestItems) {}

  /** An item with its inner product with the interest; {@code title} absent without metadata. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ScoredItem(long itemId, String title, float score) {}

  /**
   * One history event, oldest first.
   *
   * @param window which tower input the event reached: {@code short}, {@code long}, {@code outside}
   *     (older than both windows) or {@code unknown} (not in the catalogue, dropped)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HistoryEvent(long itemId, String title, String window) {}

  /**
   * The interests among a sample of item embeddings, projected on the first two principal
   * components of the (unit-length) sample.
   *
   * @param explainedVariance share of the sample's variance on each of the two axes
   * @param items the sampled items, then each interest's closest items ({@code closestTo} = its
   *     index, else -1)
   */
  public record Projection(
      double[] explainedVariance, List<Point> interests, List<ProjectedItem> items) {}

  /** An interest's position. */
  public record Point(int index, float x, float y) {}

  /** An item's position. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ProjectedItem(long itemId, String title, float x, float y, int closestTo) {}
}
