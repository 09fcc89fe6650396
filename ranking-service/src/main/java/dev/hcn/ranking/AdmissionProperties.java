package dev.hcn.ranking;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How much ranking work runs at once; what is beyond it is refused at once ({@link
 * ErrorType#OVERLOADED}) instead of queueing, so that admitted requests keep their unloaded latency
 * and probes keep answering.
 *
 * @param maxConcurrent ranking and interests requests running at once; 0 = twice the number of
 *     cores. Ranking is CPU-bound: one request per core keeps every core busy, the second per core
 *     covers the time a request spends off the CPU (writing the response, a moment descheduled)
 *     without doubling the latency of each. A request takes its slot after its history is read, so
 *     requests waiting on a slow history store (which has its own budget) hold none.
 * @param maxCandidatesInFlight candidates being scored at once, summed over the running requests (a
 *     request without candidates weighs the whole catalogue); 0 = 200,000 per core, one
 *     largest-allowed request per core. Such a request is split across every core ({@code
 *     hcn.ranking.parallel-threshold}), so the default runs up to one per core at once, each
 *     slower; a budget of one largest request keeps them one at a time, which kept their p99 under
 *     3x and 5x overload at 0.8-1.3x the unloaded p99 instead of up to 2.9x but served about a
 *     quarter fewer (docs/overload.md), and refused 16-19 % of them at 20/s (about 17 ms each) when
 *     they arrived as a Poisson stream. A request heavier than the whole budget still runs, alone.
 * @param maxQueueWait longest a call may wait for a thread behind other calls (the gRPC call pool
 *     is sized to the cores, so calls beyond it wait in its queue). A ranking call that the calls
 *     already waiting would keep waiting longer (their measured time shared by the threads) is
 *     refused on arrival; and once every queued call has waited longer than this for 100 ms (a
 *     standing queue, not a burst or a scheduler stall), calls are refused without any work until
 *     one waits less. 10 ms is about the unloaded p99 of a whole-catalogue request on two cores, so
 *     an admitted call waits at most about as long as it takes. 0 = no limit.
 */
@Validated
@ConfigurationProperties("hcn.ranking.admission")
public record AdmissionProperties(
    @DefaultValue("0") @Min(0) @Max(100_000) int maxConcurrent,
    @DefaultValue("0") @Min(0) long maxCandidatesInFlight,
    @DefaultValue("10ms") @NotNull @DurationMin(millis = 0) @DurationMax(minutes = 1)
        Duration maxQueueWait) {

  /** Candidates per core of the default volume budget. */
  static final long CANDIDATES_PER_CORE = 200_000;

  /** Resolved request limit. */
  public int effectiveMaxConcurrent() {
    return maxConcurrent > 0 ? maxConcurrent : 2 * Runtime.getRuntime().availableProcessors();
  }

  /** Resolved candidate budget. */
  public long effectiveMaxCandidatesInFlight() {
    return maxCandidatesInFlight > 0
        ? maxCandidatesInFlight
        : CANDIDATES_PER_CORE * Runtime.getRuntime().availableProcessors();
  }
}
