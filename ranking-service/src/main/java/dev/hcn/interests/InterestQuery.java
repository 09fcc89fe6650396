package dev.hcn.interests;

import java.util.Map;

/**
 * One request for a user's interests, already decoded from REST or gRPC. The user is resolved by
 * the same rules as a ranking request: inline history and features win, the rest comes from the
 * history source.
 *
 * @param userId whose history and features are read when they are not given inline
 * @param history inline behaviour history (external ids, oldest first), or {@code null}
 * @param userFeatures inline raw user features, or {@code null}
 * @param m how many closest items each interest lists, {@code 1 .. MAX_M}
 * @param projection how many catalogue items the 2-D projection samples, {@code 0 ..
 *     MAX_PROJECTION} (0 = no projection)
 */
public record InterestQuery(
    String userId, long[] history, Map<String, String> userFeatures, int m, int projection) {

  /** Items per interest when the caller does not say: four, as in the paper's Figure 5. */
  public static final int DEFAULT_M = 4;

  /** Most closest items per interest: a list a person reads, not a candidate set. */
  public static final int MAX_M = 100;

  /**
   * Largest projection sample: enough for a readable scatter plot, bounded in cost (n + m ≪ it).
   */
  public static final int MAX_PROJECTION = 5000;
}
