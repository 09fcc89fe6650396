package dev.hcn.ranking;

import dev.hcn.history.FallbackReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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

  /** Why a request was refused before any work; the {@code reason} tag of {@code hcn.rank.shed}. */
  public enum ShedReason {
    /** As many requests as allowed were already running. */
    CONCURRENCY("concurrency"),
    /** The candidates already being scored left no room for this request's. */
    VOLUME("volume"),
    /** The call arrived to a full queue for a thread, or waited in it longer than allowed. */
    QUEUE("queue"),
    /** The caller's deadline had passed (or it had gone) before the work began. */
    DEADLINE("deadline");

    final String tag;

    ShedReason(String tag) {
      this.tag = tag;
    }
  }

  /** The outcome of a request that failed for a reason of the service's own (an HTTP 500). */
  public static final String INTERNAL = "internal";

  /** The APIs whose meters exist from the start, so that dashboards and alerts see zeros. */
  private static final String[] APIS = {"rest", "grpc"};

  private final MeterRegistry registry;
  // One timer per (api, outcome), built on first use: registering through the builder on every
  // request costs a registry lookup and an id allocation per call.
  private final Map<String, Timer> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> sheds = new ConcurrentHashMap<>();
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
    for (String api : APIS) {
      for (String outcome :
          new String[] {
            "ok", INTERNAL, ErrorType.OVERLOADED.slug(), ErrorType.DEADLINE_EXCEEDED.slug()
          }) {
        requestTimer(api, outcome);
      }
      for (ShedReason reason : ShedReason.values()) {
        shedCounter(api, reason);
      }
    }
  }

  /**
   * Records one request; {@code outcome} is {@code ok}, an {@link ErrorType} slug or {@link
   * #INTERNAL}.
   */
  public void request(String api, String outcome, long nanos) {
    requestTimer(api, outcome).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Records a request the API adapter refused before it reached the ranking flow (a body or message
   * that does not parse, an invalid header); it took no measurable time of the flow.
   */
  public void rejected(String api, String outcome) {
    request(api, outcome, 0);
  }

  /** Counts a request refused before any work, by {@code api} and reason. */
  public void shed(String api, ShedReason reason) {
    shedCounter(api, reason).increment();
  }

  private Timer requestTimer(String api, String outcome) {
    return requests.computeIfAbsent(
        api + ' ' + outcome,
        key ->
            Timer.builder("hcn.rank.requests")
                .description("Ranking requests by API and outcome")
                .tag("api", api)
                .tag("outcome", outcome)
                .register(registry));
  }

  private Counter shedCounter(String api, ShedReason reason) {
    return sheds.computeIfAbsent(
        api + ' ' + reason.tag,
        key ->
            Counter.builder("hcn.rank.shed")
                .description("Requests refused before any work, by API and reason")
                .tag("api", api)
                .tag("reason", reason.tag)
                .register(registry));
  }

  public void stage(Stage stage, long nanos) {
    stages[stage.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
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
