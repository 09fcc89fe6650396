package dev.hcn.api.rest;

import dev.hcn.interests.InterestQuery;
import java.util.Map;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * Body of {@code POST /v1/interests}: the user as in {@code POST /v1/rank} (an id, inline history
 * and features, or both), how many closest items per interest ({@code m}, default 4) and the size
 * of the projection sample ({@code projection}, default 0 = none). The history is read like the
 * rank API's, straight into {@code long[]} within the limit ({@link ItemIdArrayDeserializer}).
 */
record InterestsRequest(
    String userId,
    @JsonDeserialize(using = ItemIdArrayDeserializer.class) long[] history,
    Map<String, String> userFeatures,
    Integer m,
    Integer projection) {

  InterestQuery toQuery() {
    return new InterestQuery(
        userId,
        history,
        userFeatures,
        m == null ? InterestQuery.DEFAULT_M : m,
        projection == null ? 0 : projection);
  }
}
