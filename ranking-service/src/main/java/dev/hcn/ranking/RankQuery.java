package dev.hcn.ranking;

import java.util.Map;

/**
 * One ranking request, already decoded from REST or gRPC. The two adapters build the same query for
 * the same input, so they share every rule below.
 *
 * @param userId the user whose history and features are looked up when not given inline
 * @param candidates external item ids to rank; {@code null} ranks the whole catalogue
 * @param k how many items to return
 * @param history inline behaviour history (external item ids, oldest first); {@code null} reads the
 *     history source
 * @param userFeatures inline user features (name to raw value); {@code null} reads the history
 *     source
 * @param explain whether each returned item carries its dominant interest
 */
public record RankQuery(
    String userId,
    long[] candidates,
    int k,
    long[] history,
    Map<String, String> userFeatures,
    boolean explain) {}
