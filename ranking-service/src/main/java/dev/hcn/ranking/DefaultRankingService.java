package dev.hcn.ranking;

import dev.hcn.history.HistorySource;
import dev.hcn.history.UserHistory;
import dev.hcn.model.ItemIdIndex;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TowerInput;
import dev.hcn.ranking.RankingMetrics.Stage;
import dev.hcn.scoring.ItemMatrix;
import dev.hcn.scoring.TopKResult;
import dev.hcn.scoring.TopKScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The ranking flow: validate, resolve history (inline, else the source), run the user tower, map
 * and score the candidates, take the exact top-k. The bundle is read once per request.
 */
@Service
public class DefaultRankingService implements RankingService {

  private static final Logger log = LoggerFactory.getLogger(DefaultRankingService.class);

  private final ModelRegistry registry;
  private final HistorySource history;
  private final TopKScorer scorer;
  private final RankingProperties limits;
  private final RankingMetrics metrics;

  public DefaultRankingService(
      ModelRegistry registry,
      HistorySource history,
      TopKScorer scorer,
      RankingProperties limits,
      RankingMetrics metrics) {
    this.registry = registry;
    this.history = history;
    this.scorer = scorer;
    this.limits = limits;
    this.metrics = metrics;
  }

  @Override
  public RankResult rank(RankQuery query, RequestContext context) {
    long start = System.nanoTime();
    String outcome = "ok";
    try {
      // The lease keeps this request's bundle (and its ONNX session) open across a swap.
      try (ModelRegistry.Lease lease =
          registry.lease().orElseThrow(DefaultRankingService::notReady)) {
        return run(lease.bundle(), query, context, true);
      }
    } catch (RankingException e) {
      outcome = e.type().slug();
      throw e;
    } catch (RuntimeException e) {
      outcome = "error";
      throw e;
    } finally {
      metrics.request(context.api(), outcome, System.nanoTime() - start);
    }
  }

  @Override
  public ModelInfo model() {
    return registry.current().orElseThrow(DefaultRankingService::notReady).info();
  }

  /**
   * Exercises a bundle before it serves: {@code towerRuns} tower passes (the last one followed by a
   * whole-catalogue scoring pass), so that the first real request finds native code loaded and the
   * kernels compiled. Records no metrics.
   */
  public void warmUp(ModelBundle bundle, int towerRuns) {
    ItemMatrix items = bundle.items();
    int events = Math.min(items.rows() - 1, 2 * bundle.info().shortLength());
    long[] sample = new long[events];
    for (int i = 0; i < events; i++) {
      sample[i] = items.id(i + 1);
    }
    for (int i = 1; i < towerRuns; i++) {
      bundle.tower().interests(bundle.encoder().encode(sample, Map.of()));
    }
    int k = Math.min(limits.maxK(), 100);
    var query = new RankQuery(null, null, k, sample, Map.of(), true);
    run(bundle, query, RequestContext.unbounded("warmup"), false);
  }

  /**
   * Ranks on a given bundle that is not (yet) serving, without deadline or metrics: the golden
   * check of a bundle about to be installed. The caller owns {@code bundle}.
   */
  RankResult rankUnmeasured(ModelBundle bundle, RankQuery query) {
    return run(bundle, query, RequestContext.unbounded("verify"), false);
  }

  private RankResult run(ModelBundle bundle, RankQuery q, RequestContext ctx, boolean measured) {
    validate(q);
    ctx.checkpoint();
    long t = System.nanoTime();

    ResolvedUser user = resolveUser(q);
    t = lap(measured, Stage.HISTORY, t);
    ctx.checkpoint();

    TowerInput input = bundle.encoder().encode(user.history(), user.features());
    float[] interests = bundle.tower().interests(input);
    t = lap(measured, Stage.TOWER, t);
    ctx.checkpoint();

    Candidates candidates = resolveCandidates(bundle, q.candidates());
    TopKResult top =
        scorer.topK(
            interests,
            bundle.tower().interestCount(),
            bundle.items(),
            candidates.rows(),
            q.k(),
            bundle.temperature(),
            q.explain());
    t = lap(measured, Stage.SCORING, t);
    ctx.checkpoint();

    List<RankedItem> ranked = new ArrayList<>(top.rows().length);
    for (int i = 0; i < top.rows().length; i++) {
      int dominant = q.explain() && top.dominant() != null ? top.dominant()[i] : -1;
      ranked.add(new RankedItem(bundle.items().id(top.rows()[i]), top.scores()[i], dominant));
    }
    lap(measured, Stage.TOPK, t);
    if (measured) {
      metrics.candidates(candidates.scored());
    }
    return new RankResult(
        bundle.info().name(),
        bundle.info().version(),
        List.copyOf(ranked),
        candidates.scored(),
        candidates.unknown(),
        input.knownHistory() == 0,
        user.fallback());
  }

  private void validate(RankQuery q) {
    if (q == null) {
      throw new RankingException(ErrorType.INVALID_REQUEST, "the request is empty");
    }
    if (q.k() < 1 || q.k() > limits.maxK()) {
      throw new RankingException(
          ErrorType.K_OUT_OF_RANGE,
          "k",
          "k must be between 1 and " + limits.maxK() + ", got " + q.k());
    }
    if (q.candidates() != null && q.candidates().length > limits.maxCandidates()) {
      throw new RankingException(
          ErrorType.TOO_MANY_CANDIDATES,
          "candidates",
          "candidates has "
              + q.candidates().length
              + " ids, at most "
              + limits.maxCandidates()
              + " are allowed");
    }
    if (q.history() != null && q.history().length > limits.maxHistory()) {
      throw new RankingException(
          ErrorType.HISTORY_TOO_LONG,
          "history",
          "history has "
              + q.history().length
              + " events, at most "
              + limits.maxHistory()
              + " are allowed");
    }
    boolean noUser = q.userId() == null || q.userId().isBlank();
    if (noUser && q.history() == null) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST, "userId", "userId is required unless history is given inline");
    }
    if (!noUser && q.userId().length() > limits.maxUserIdLength()) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST,
          "userId",
          "userId is longer than " + limits.maxUserIdLength() + " characters");
    }
    if (q.userFeatures() != null && q.userFeatures().size() > limits.maxUserFeatures()) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST,
          "userFeatures",
          "userFeatures has more than " + limits.maxUserFeatures() + " entries");
    }
  }

  /** Inline history and features win; what is missing comes from the source. */
  private ResolvedUser resolveUser(RankQuery q) {
    long[] events = q.history();
    Map<String, String> features = q.userFeatures();
    if (events != null && features != null) {
      return new ResolvedUser(events, features, false);
    }
    UserHistory stored = UserHistory.EMPTY;
    boolean fallback = false;
    if (q.userId() != null && !q.userId().isBlank()) {
      try {
        stored = history.find(q.userId());
      } catch (RankingException e) {
        throw e;
      } catch (RuntimeException e) {
        // A broken store must not fail ranking: serve as a cold start and say so.
        log.warn("history source failed, serving an empty history: {}", e.toString());
        metrics.fallback(RankingMetrics.HISTORY_ERROR);
        fallback = true;
      }
    }
    return new ResolvedUser(
        events != null ? events : stored.items(),
        features != null ? features : stored.features(),
        fallback);
  }

  /** Maps ids to rows, dropping unknown ids (counted) and repeated ones (scored once). */
  private static Candidates resolveCandidates(ModelBundle bundle, long[] ids) {
    int catalogue = bundle.items().rows() - 1;
    if (ids == null) {
      return new Candidates(null, catalogue, 0);
    }
    ItemIdIndex index = bundle.index();
    BitSet seen = new BitSet(catalogue + 1);
    int[] rows = new int[ids.length];
    int distinct = 0;
    int unknown = 0;
    for (long id : ids) {
      int row = index.row(id);
      if (row <= 0) {
        unknown++;
      } else if (!seen.get(row)) {
        seen.set(row);
        rows[distinct++] = row;
      }
    }
    return new Candidates(
        distinct == rows.length ? rows : Arrays.copyOf(rows, distinct), distinct, unknown);
  }

  private long lap(boolean measured, Stage stage, long since) {
    long now = System.nanoTime();
    if (measured) {
      metrics.stage(stage, now - since);
    }
    return now;
  }

  private static RankingException notReady() {
    return new RankingException(
        ErrorType.NOT_READY, "the model is still loading or warming up; retry shortly");
  }

  private record ResolvedUser(long[] history, Map<String, String> features, boolean fallback) {}

  private record Candidates(int[] rows, int scored, int unknown) {}
}
