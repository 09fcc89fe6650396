package dev.hcn.api.grpc;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The threads that run gRPC calls.
 *
 * @param threads calls running at once; 0 = the number of cores. Ranking is CPU-bound (tower,
 *     scoring), so more threads than cores only time-slice the same cores: every running call gets
 *     slower and the tail grows with the load. gRPC's default (a cached pool, one thread per
 *     concurrent call) is replaced by this fixed pool; calls beyond it wait in its queue, first
 *     come first served, and the service's admission control decides what is shed. A call waiting
 *     on its history store for long (a stalled store uses no CPU) lends the pool a thread until the
 *     wait ends (see {@link QueueTimedExecutor}).
 * @param maxQueued most ranking calls that may wait for a thread at once; 0 = 32 per thread. A
 *     ranking call is refused on arrival (RESOURCE_EXHAUSTED, shed reason {@code queue}), without
 *     waiting itself, when this many wait or when the calls waiting would keep it waiting longer
 *     than {@code hcn.ranking.admission.max-queue-wait} (their measured pool time shared by the
 *     threads). The time rule is the one that sheds under overload; this count is a backstop for
 *     the queue of small calls, and it must hold the calls that arrive during a pause of the whole
 *     process (GC, a descheduled VM), which reach the pool at once when it ends and drain within
 *     milliseconds. With 8 per thread, ten 200 ms pauses at 150 gRPC calls/s shed 18-80 calls
 *     (three runs); with 32, none in three runs with pauses up to 300 ms, 5-26 with 500 ms ({@code
 *     deploy/checks/pauses.py}, docs/soak.md). Each waiting call holds at most one message of the
 *     inbound limit.
 */
@Validated
@ConfigurationProperties("hcn.grpc.executor")
public record GrpcExecutorProperties(
    @DefaultValue("0") @Min(0) @Max(1024) int threads,
    @DefaultValue("0") @Min(0) @Max(100_000) int maxQueued) {

  /** Waiting calls per thread of the default queue bound. */
  static final int QUEUED_PER_THREAD = 32;

  /** Resolved thread count. */
  public int effectiveThreads() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }

  /** Resolved queue bound. */
  public int effectiveMaxQueued() {
    return maxQueued > 0 ? maxQueued : QUEUED_PER_THREAD * effectiveThreads();
  }
}
