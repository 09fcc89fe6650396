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
 * How much ranking work runs at once; what is beyond it is refused ({@link ErrorType#OVERLOADED})
 * instead of queueing, at once or after a wait bounded to about one request's time, so that
 * admitted requests keep their unloaded latency and probes keep answering.
 *
 * @param maxConcurrent ranking and interests requests running at once; 0 = twice the number of
 *     cores. Ranking is CPU-bound: one request per core keeps every core busy, the second per core
 *     covers the time a request spends off the CPU (writing the response, a moment descheduled)
 *     without doubling the latency of each. A request takes its slot after its history is read, so
 *     requests waiting on a slow history store (which has its own budget) hold none.
 * @param maxCandidatesInFlight candidates being scored at once, summed over the running requests (a
 *     request without candidates weighs the whole catalogue); 0 = 200,000, one request of the
 *     default {@code hcn.ranking.max-candidates} at a time. Such a request is split across every
 *     core ({@code hcn.ranking.parallel-threshold}), so two at once would each take about twice as
 *     long: with a budget of 200,000 per core, gRPC's p99 at 5x overload reached 1.2-2.9x the
 *     unloaded p99, with this one (and {@code maxRoomWait}) 0.95-1.5x, for up to 0.84x as many
 *     requests served at 5x (docs/overload.md). A request heavier than the whole budget still runs,
 *     alone.
 * @param maxQueueWait longest a call may wait for a thread behind other calls (the gRPC call pool
 *     is sized to the cores, so calls beyond it wait in its queue). A ranking call that the calls
 *     already waiting would keep waiting longer (their measured time shared by the threads) is
 *     refused on arrival; and once every queued call has waited longer than this for 100 ms (a
 *     standing queue, not a burst or a scheduler stall), calls are refused without any work until
 *     one waits less. 10 ms is about the unloaded p99 of a whole-catalogue request on two cores, so
 *     an admitted call waits at most about as long as it takes. 0 = no limit.
 * @param maxRoomWait longest a request may wait for room in the candidate budget, when no other
 *     request is waiting for room already (while one waits, later requests short of room are
 *     refused at once, even ones that would fit: the waiting one goes first). 15 ms is about the
 *     time of one whole-catalogue request on two cores (200,000 candidates), so a request that
 *     arrives while another runs waits for it instead of being refused: with Poisson arrivals at
 *     the sustainable rate, refusing at once shed 16-19 % of them, waiting 0.75-1.5 %. While more
 *     than a third of the recent requests were refused (demand over 1.5 times what runs), none
 *     waits: the next arrival would take the room moments after it frees, so a wait would add only
 *     its length to the admitted request's latency. 0 = refused at once.
 */
@Validated
@ConfigurationProperties("hcn.ranking.admission")
public record AdmissionProperties(
    @DefaultValue("0") @Min(0) @Max(100_000) int maxConcurrent,
    @DefaultValue("0") @Min(0) long maxCandidatesInFlight,
    @DefaultValue("10ms") @NotNull @DurationMin(millis = 0) @DurationMax(minutes = 1)
        Duration maxQueueWait,
    @DefaultValue("15ms") @NotNull @DurationMin(millis = 0) @DurationMax(seconds = 10)
        Duration maxRoomWait) {

  /**
   * The default candidate budget: one request of the default {@code hcn.ranking.max-candidates}.
   */
  static final long DEFAULT_CANDIDATES_IN_FLIGHT = 200_000;

  /** Resolved request limit. */
  public int effectiveMaxConcurrent() {
    return maxConcurrent > 0 ? maxConcurrent : 2 * Runtime.getRuntime().availableProcessors();
  }

  /** Resolved candidate budget. */
  public long effectiveMaxCandidatesInFlight() {
    return maxCandidatesInFlight > 0 ? maxCandidatesInFlight : DEFAULT_CANDIDATES_IN_FLIGHT;
  }
}
