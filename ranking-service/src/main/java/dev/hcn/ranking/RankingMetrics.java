package dev.hcn.ranking;

import dev.hcn.history.FallbackReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ranking flow's meters. Tag values come from small fixed sets (api, outcome, stage, reason,
 * model name/version); never user or item ids.
 */
public final class RankingMetrics {

  /** Stages of the {@code hcn.rank.stage} timer; they follow each other and cover the request. */
  public enum Stage {
    /** Resolving the user's history and features (inline, cache or history source). */
    HISTORY("history"),
    /** Encoding the tower input and running the ONNX user tower. */
    TOWER("tower"),
    /** Mapping candidate ids to embedding rows (unknown ones dropped, repeats scored once). */
    CANDIDATES("candidates"),
    /**
     * Eq. 8 scores and the exact top-k heap: one pass, since the heap's floor drives the kernel's
     * skip; includes the dominant-interest pass when explain is asked for.
     */
    SCORE_TOPK("score_topk"),
    /** Mapping the winning rows back to item ids and building the result. */
    RESPONSE("response");

    final String tag;

    Stage(String tag) {
      this.tag = tag;
    }
  }

  private final MeterRegistry registry;
  private final Timer[] stages = new Timer[Stage.values().length];
  private final DistributionSummary candidates;
  private final AtomicReference<Gauge> modelInfo = new AtomicReference<>();
  // Built once: during a store outage every request counts a fallback.
  private final EnumMap<FallbackReason, Counter> fallbacks = new EnumMap<>(FallbackReason.class);

  public RankingMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Stage stage : Stage.values()) {
      stages[stage.ordinal()] =
          Timer.builder("hcn.rank.stage")
              .description("Time per stage of a ranking request")
              .tag("stage", stage.tag)
              .register(registry);
    }
    this.candidates =
        DistributionSummary.builder("hcn.rank.candidates")
            .description("Distinct known candidates scored per request")
            .register(registry);
    for (FallbackReason reason : FallbackReason.values()) {
      // Present from the start, so dashboards see a zero.
      fallbacks.put(
          reason,
          Counter.builder("hcn.rank.fallbacks")
              .description("Requests served by a degraded path")
              .tag("reason", reason.slug())
              .register(registry));
    }
    swapCounter("admin", "ok");
  }

  /** Records one request; {@code outcome} is {@code ok} or an {@link ErrorType} slug. */
  public void request(String api, String outcome, long nanos) {
    Timer.builder("hcn.rank.requests")
        .description("Ranking requests by API and outcome")
        .tag("api", api)
        .tag("outcome", outcome)
        .register(registry)
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void stage(Stage stage, long nanos) {
    stages[stage.ordinal()].record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void candidates(int scored) {
    candidates.record(scored);
  }

  /** Counts a degraded request. */
  public void fallback(FallbackReason reason) {
    fallbacks.get(reason).increment();
  }

  /**
   * Counts one model activation: {@code action} is startup, admin, rollback or watch; {@code
   * outcome} is {@code ok}, the slug of the check that refused the bundle, or why none was tried.
   */
  public void swap(String action, String outcome) {
    swapCounter(action, outcome).increment();
  }

  private Counter swapCounter(String action, String outcome) {
    return Counter.builder("hcn.model.swaps")
        .description("Model activations by action and outcome")
        .tag("action", action)
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Publishes {@code hcn.model.info{name,version} 1} for the serving bundle, replacing the old. */
  public void modelInfo(String name, String version) {
    Gauge gauge =
        Gauge.builder("hcn.model.info", () -> 1)
            .description("The serving model bundle")
            .tag("name", name)
            .tag("version", version)
            .register(registry);
    Gauge old = modelInfo.getAndSet(gauge);
    if (old != null && !old.getId().equals(gauge.getId())) {
      registry.remove(old);
    }
  }
}
