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

  /** {@code dominantInterest} is left out unless the request asked to explain. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Item(long itemId, float score, Integer dominantInterest) {}

  static RankResponse of(RankResult r) {
    List<Item> items = new java.util.ArrayList<>(r.items().size());
    for (RankedItem i : r.items()) {
      items.add(
          new Item(i.itemId(), i.score(), i.dominantInterest() < 0 ? null : i.dominantInterest()));
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
