package dev.hcn.ranking;

import dev.hcn.history.HistoryReader;
import dev.hcn.history.HistorySource;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import dev.hcn.scoring.TopKScorer;
import dev.hcn.scoring.VectorScoringKernel;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;

/** Builds the ranking flow outside Spring, on a real bundle, for focused tests. */
final class TestRanking {

  static final RankingProperties LIMITS =
      new RankingProperties(1000, 200_000, 1000, 256, 64, 20_000, 0, 256, true);

  private TestRanking() {}

  static DefaultRankingService service(
      ModelBundle bundle, HistorySource source, MeterRegistry meters) {
    return service(
        bundle, source, meters, LIMITS, new TopKScorer(new VectorScoringKernel(), 20_000, null));
  }

  static DefaultRankingService service(
      ModelBundle bundle,
      HistorySource source,
      MeterRegistry meters,
      RankingProperties limits,
      TopKScorer scorer) {
    return service(
        bundle,
        source,
        meters,
        limits,
        scorer,
        AdmissionControl.unlimited(new RankingMetrics(meters)));
  }

  static DefaultRankingService service(
      ModelBundle bundle,
      HistorySource source,
      MeterRegistry meters,
      RankingProperties limits,
      TopKScorer scorer,
      AdmissionControl admission) {
    ModelRegistry registry = new ModelRegistry();
    if (bundle != null) {
      registry.install(bundle);
    }
    var metrics = new RankingMetrics(meters);
    return new DefaultRankingService(
        registry,
        HistoryReader.direct(source),
        new InterestCache(0, meters),
        scorer,
        limits,
        metrics,
        admission);
  }

  /** A scorer that splits every request with more than one candidate across {@code executor}. */
  static TopKScorer splitting(Executor executor) {
    return new TopKScorer(new VectorScoringKernel(), 1, executor);
  }
}
