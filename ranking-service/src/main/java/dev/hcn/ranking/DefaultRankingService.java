package dev.hcn.ranking;

import dev.hcn.history.FallbackReason;
import dev.hcn.history.HistoryLookup;
import dev.hcn.history.HistoryReader;
import dev.hcn.interests.InterestInspector;
import dev.hcn.interests.InterestQuery;
import dev.hcn.interests.InterestReport;
import dev.hcn.model.ItemIdIndex;
import dev.hcn.model.ItemMetadata;
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
import org.springframework.stereotype.Service;

/**
 * The ranking flow: validate, resolve history (inline, else the source), run the user tower, map
 * and score the candidates, take the exact top-k. The bundle is read once per request.
 */
@Service
public class DefaultRankingService implements RankingService {

  private final ModelRegistry registry;
  private final HistoryReader history;
  private final InterestCache interestCache;
  private final TopKScorer scorer;
  private final RankingProperties limits;
  private final RankingMetrics metrics;
  private final InterestInspector inspector;
  private final AdmissionControl admission;

  public DefaultRankingService(
      ModelRegistry registry,
      HistoryReader history,
      InterestCache interests,
      TopKScorer scorer,
      RankingProperties limits,
      RankingMetrics metrics,
      AdmissionControl admission) {
    this.registry = registry;
    this.admission = admission;
    this.history = history;
    this.interestCache = interests;
    this.scorer = scorer;
    this.limits = limits;
    this.metrics = metrics;
    this.inspector = new InterestInspector(scorer);
  }

  @Override
  public RankResult rank(RankQuery query, RequestContext context) {
    long start = System.nanoTime();
    String outcome = "ok";
    try {
      // The lease keeps this request's bundle (and its ONNX session) open across a swap.
      try (ModelRegistry.Lease lease =
          registry.lease().orElseThrow(DefaultRankingService::notReady)) {
        ModelBundle bundle = lease.bundle();
        validate(query);
        // Bad input is refused before admission: it costs nothing and must not count as a shed.
        // The history is read before admission too: a slot bounds CPU work, and a request waiting
        // on a stalled store (which has its own budget and breaker) must not hold one. What would
        // be refused anyway is refused before the store is asked.
        long weight =
            query.candidates() == null ? bundle.items().rows() - 1 : query.candidates().length;
        admission.precheck(context, weight);
        ResolvedUser user = resolveUser(query, context, true);
        try (AdmissionControl.Permit admitted = admission.admit(context, weight)) {
          return run(bundle, query, user, context, true);
        }
      }
    } catch (RankingException e) {
      outcome = e.type().slug();
      throw e;
    } catch (Throwable e) {
      // Errors too (StackOverflowError, OutOfMemoryError): counted, then left to the API adapter,
      // which logs them and answers an internal error.
      outcome = RankingMetrics.INTERNAL;
      throw e;
    } finally {
      metrics.request(context.api(), outcome, System.nanoTime() - start);
    }
  }

  @Override
  public ModelInfo model() {
    return ModelInfo.of(registry.current().orElseThrow(DefaultRankingService::notReady));
  }

  @Override
  public InterestReport interests(InterestQuery q, RequestContext ctx) {
    if (q == null) {
      throw new RankingException(ErrorType.INVALID_REQUEST, "the request is empty");
    }
    // The user is validated and resolved by the very rules of the equivalent rank query.
    RankQuery asRank = new RankQuery(q.userId(), null, 1, q.history(), q.userFeatures(), false);
    validate(asRank);
    if (q.m() < 1 || q.m() > InterestQuery.MAX_M) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST,
          "m",
          "m must be between 1 and " + InterestQuery.MAX_M + ", got " + q.m());
    }
    if (q.projection() < 0 || q.projection() > InterestQuery.MAX_PROJECTION) {
      throw new RankingException(
          ErrorType.INVALID_REQUEST,
          "projection",
          "projection must be between 0 and "
              + InterestQuery.MAX_PROJECTION
              + ", got "
              + q.projection());
    }
    // A lease, as for ranking: a swap must not close the tower's session while it runs.
    try (ModelRegistry.Lease lease =
        registry.lease().orElseThrow(DefaultRankingService::notReady)) {
      ModelBundle bundle = lease.bundle();
      // As for ranking, the history is read before a slot is taken.
      // The closest items of every interest are searched over the whole catalogue.
      long weight = bundle.items().rows() - 1;
      admission.precheck(ctx, weight);
      ResolvedUser resolved = resolveUser(asRank, ctx, false);
      try (AdmissionControl.Permit admitted = admission.admit(ctx, weight)) {
        UserInterests user = userInterests(bundle, resolved, false, true);
        ctx.checkpoint();
        return inspect(bundle, q, user);
      }
    }
  }

  private InterestReport inspect(ModelBundle bundle, InterestQuery q, UserInterests user) {
    return inspector.inspect(
        bundle,
        user.interests(),
        user.history(),
        q.m(),
        q.projection(),
        user.input().knownHistory() == 0,
        user.fallback() != null);
  }

  @Override
  public List<String> demoUsers() {
    return registry.current().orElseThrow(DefaultRankingService::notReady).demoUsers();
  }

  /**
   * Exercises a bundle before it serves: {@code towerRuns} tower passes (the last one followed by a
   * whole-catalogue scoring pass), so that the first real request finds native code loaded and the
   * kernels compiled. Records no metrics.
   */
  public void warmUp(ModelBundle bundle, int towerRuns) {
    ItemMatrix items = bundle.items();
    int events = Math.min(items.rows() - 1, 2 * bundle.shortLength());
    long[] sample = new long[events];
    for (int i = 0; i < events; i++) {
      sample[i] = items.id(i + 1);
    }
    for (int i = 1; i < towerRuns; i++) {
      bundle.tower().interests(bundle.encoder().encode(sample, Map.of()));
    }
    int k = Math.min(limits.maxK(), 100);
    var query = new RankQuery(null, null, k, sample, Map.of(), true);
    validate(query);
    RequestContext warmup = RequestContext.unbounded("warmup");
    run(bundle, query, resolveUser(query, warmup, false), warmup, false);
  }

  /**
   * Ranks on a given bundle that is not (yet) serving, without deadline or metrics: the golden
   * check of a bundle about to be installed. The caller owns {@code bundle}.
   */
  RankResult rankUnmeasured(ModelBundle bundle, RankQuery query) {
    validate(query);
    RequestContext verify = RequestContext.unbounded("verify");
    return run(bundle, query, resolveUser(query, verify, false), verify, false);
  }

  /** Ranks a query already validated and resolved (and, when serving, admitted). */
  private RankResult run(
      ModelBundle bundle,
      RankQuery q,
      ResolvedUser resolved,
      RequestContext ctx,
      boolean measured) {
    UserInterests user = userInterests(bundle, resolved, measured, measured);
    ctx.checkpoint();
    float[] interests = user.interests();
    TowerInput input = user.input();
    long t = System.nanoTime();

    Candidates candidates = resolveCandidates(bundle, q.candidates());
    t = lap(measured, Stage.CANDIDATES, t);
    TopKResult top =
        scorer.topK(
            interests,
            bundle.tower().interestCount(),
            bundle.items(),
            candidates.rows(),
            q.k(),
            bundle.temperature(),
            q.explain());
    t = lap(measured, Stage.SCORE_TOPK, t);
    ctx.checkpoint();

    List<RankedItem> ranked = new ArrayList<>(top.rows().length);
    ItemMetadata meta = bundle.itemMetadata();
    for (int i = 0; i < top.rows().length; i++) {
      long id = bundle.items().id(top.rows()[i]);
      ranked.add(
          q.explain() && top.dominant() != null
              ? new RankedItem(
                  id, top.scores()[i], top.dominant()[i], top.weights()[i], meta.title(id))
              : new RankedItem(id, top.scores()[i]));
    }
    RankResult result =
        new RankResult(
            bundle.name(),
            bundle.version(),
            List.copyOf(ranked),
            candidates.scored(),
            candidates.unknown(),
            input.knownHistory() == 0,
            user.fallback() != null,
            user.fallback() == null ? null : user.fallback().slug());
    lap(measured, Stage.RESPONSE, t);
    if (measured) {
      metrics.candidates(candidates.scored());
    }
    return result;
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

  /**
   * Stage 2 of every request: the tower's interests for a resolved user. Only serving requests read
   * the interest cache; warm-up and golden verification must exercise the bundle's own session, not
   * vectors a previous instance of the same model left behind.
   */
  private UserInterests userInterests(
      ModelBundle bundle, ResolvedUser user, boolean measured, boolean cached) {
    long t = System.nanoTime();
    TowerInput input = bundle.encoder().encode(user.history(), user.features());
    float[] interests =
        cached ? interestCache.interests(bundle, input) : bundle.tower().interests(input);
    lap(measured, Stage.TOWER, t);
    return new UserInterests(user.history(), user.fallback(), input, interests);
  }

  /**
   * Stage 1: inline history and features win; what is missing comes from the history reader. A
   * deadline that passes meanwhile is caught by admission, which drops the request before work.
   */
  private ResolvedUser resolveUser(RankQuery q, RequestContext ctx, boolean measured) {
    long t = System.nanoTime();
    long[] events = q.history();
    Map<String, String> features = q.userFeatures();
    if ((events != null && features != null) || q.userId() == null || q.userId().isBlank()) {
      lap(measured, Stage.HISTORY, t);
      return new ResolvedUser(
          events != null ? events : new long[0], features != null ? features : Map.of(), null);
    }
    HistoryLookup stored = ctx.offCpu(() -> history.lookup(q.userId()));
    if (stored.fallback() != null) {
      metrics.fallback(stored.fallback());
    }
    lap(measured, Stage.HISTORY, t);
    return new ResolvedUser(
        events != null ? events : stored.history().items(),
        features != null ? features : stored.history().features(),
        stored.fallback());
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

  private record ResolvedUser(
      long[] history, Map<String, String> features, FallbackReason fallback) {}

  private record UserInterests(
      long[] history, FallbackReason fallback, TowerInput input, float[] interests) {}

  private record Candidates(int[] rows, int scored, int unknown) {}
}
