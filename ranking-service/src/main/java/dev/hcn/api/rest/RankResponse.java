package dev.hcn.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hcn.ranking.RankResult;
import dev.hcn.ranking.RankedItem;
import java.util.List;

/**
 * Body of a successful {@code POST /v1/rank}; {@code fallbackReason} only when {@code fallback}.
 */
record RankResponse(
    Model model,
    List<Item> items,
    int candidatesScored,
    int candidatesUnknown,
    boolean coldStart,
    boolean fallback,
    @JsonInclude(JsonInclude.Include.NON_NULL) String fallbackReason) {

  record Model(String name, String version) {}

  /**
   * {@code dominantInterest}, {@code interestWeights} (the softmax weights alpha over the
   * interests, Eq. 8) and {@code title} are left out unless the request asked to explain ({@code
   * title} also when the bundle has no title for the item).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Item(
      long itemId, float score, Integer dominantInterest, float[] interestWeights, String title) {}

  static RankResponse of(RankResult r) {
    List<Item> items = new java.util.ArrayList<>(r.items().size());
    for (RankedItem i : r.items()) {
      boolean explained = i.dominantInterest() >= 0;
      items.add(
          new Item(
              i.itemId(),
              i.score(),
              explained ? i.dominantInterest() : null,
              i.interestWeights(),
              i.title()));
    }
    return new RankResponse(
        new Model(r.modelName(), r.modelVersion()),
        items,
        r.candidatesScored(),
        r.candidatesUnknown(),
        r.coldStart(),
        r.fallback(),
        r.fallbackReason());
  }
}
