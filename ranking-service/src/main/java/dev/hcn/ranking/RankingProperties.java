package dev.hcn.ranking;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits and tuning of the ranking flow, shared by REST and gRPC.
 *
 * @param maxK largest k a request may ask for
 * @param maxCandidates most candidate ids in one request
 * @param maxHistory longest inline history
 * @param maxUserIdLength longest user id
 * @param maxUserFeatures most inline user-feature entries
 * @param parallelThreshold candidate count from which scoring is split across cores
 * @param scoringThreads worker threads for split scoring (0 = number of cores)
 * @param scoringQueue pending split tasks before the caller runs its chunks itself
 * @param catalogueLaneBlocks keep a second, transposed copy of the item embeddings for
 *     whole-catalogue requests (built at warm-up). On by default: whole-catalogue top-k measured
 *     1.4-2.1x faster with it (docs/performance.md); the price is the embeddings' memory once more
 *     (100 MB for 200k x 128 items), so turn it off where memory matters more than that latency
 */
@Validated
@ConfigurationProperties("hcn.ranking")
public record RankingProperties(
    @DefaultValue("1000") @Min(1) @Max(100_000) int maxK,
    @DefaultValue("200000") @Min(1) int maxCandidates,
    @DefaultValue("1000") @Min(0) int maxHistory,
    @DefaultValue("256") @Min(1) int maxUserIdLength,
    @DefaultValue("64") @Min(0) int maxUserFeatures,
    @DefaultValue("20000") @Min(1) int parallelThreshold,
    @DefaultValue("0") @Min(0) @Max(1024) int scoringThreads,
    @DefaultValue("256") @Min(1) int scoringQueue,
    @DefaultValue("true") boolean catalogueLaneBlocks) {

  /** Resolved worker count. */
  public int effectiveScoringThreads() {
    return scoringThreads > 0 ? scoringThreads : Runtime.getRuntime().availableProcessors();
  }
}
