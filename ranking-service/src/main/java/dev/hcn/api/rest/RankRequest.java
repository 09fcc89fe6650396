package dev.hcn.api.rest;

import dev.hcn.ranking.RankQuery;
import java.util.Map;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * Body of {@code POST /v1/rank}. Absent {@code candidates} ranks the whole catalogue; present
 * {@code history} / {@code userFeatures} replace what the history source knows. An absent {@code k}
 * is 0 and so rejected as out of range, the same as an unset k over gRPC. Id lists are read
 * straight into {@code long[]} within the request limits ({@link ItemIdArrayDeserializer}).
 */
record RankRequest(
    String userId,
    @JsonDeserialize(using = ItemIdArrayDeserializer.class) long[] candidates,
    Integer k,
    @JsonDeserialize(using = ItemIdArrayDeserializer.class) long[] history,
    Map<String, String> userFeatures,
    Boolean explain) {

  RankQuery toQuery() {
    return new RankQuery(
        userId, candidates, k == null ? 0 : k, history, userFeatures, Boolean.TRUE.equals(explain));
  }
}
