package dev.hcn.ranking;

/**
 * The one application service behind REST and gRPC: validates the query against the configured
 * limits, resolves history, runs the user tower, scores and selects the top-k.
 */
public interface RankingService {

  /**
   * Ranks the query's candidates.
   *
   * @throws RankingException for invalid input, not-ready, deadline or cancellation
   */
  RankResult rank(RankQuery query, RequestContext context);

  /** The serving model, or a {@link RankingException} of type NOT_READY before it is loaded. */
  ModelInfo model();
}
