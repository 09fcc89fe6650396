package dev.hcn.ranking;

import dev.hcn.interests.InterestQuery;
import dev.hcn.interests.InterestReport;
import java.util.List;

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

  /**
   * The user's interests summarised (closest items, norms, cosines, history windows). The user is
   * resolved and limited exactly as by {@link #rank}.
   *
   * @throws RankingException for invalid input, not-ready, deadline or cancellation
   */
  InterestReport interests(InterestQuery query, RequestContext context);

  /** Ids of the users whose histories the serving bundle ships (for demos), in bundle order. */
  List<String> demoUsers();
}
