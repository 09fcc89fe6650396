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
 *     come first served, and the service's admission control decides what is shed.
 * @param maxQueued ranking calls that may wait for a thread at once; a ranking call that arrives
 *     when this many wait is refused (RESOURCE_EXHAUSTED, shed reason {@code queue}) without
 *     waiting itself. 0 = the number of threads: an admitted call then waits for about one call's
 *     time at most, so that under overload its latency stays near twice the unloaded one instead of
 *     growing with the queue; the time-based rule of {@code hcn.ranking.admission.max-queue-wait}
 *     then only sheds what still waited too long.
 */
@Validated
@ConfigurationProperties("hcn.grpc.executor")
public record GrpcExecutorProperties(
    @DefaultValue("0") @Min(0) @Max(1024) int threads,
    @DefaultValue("0") @Min(0) @Max(100_000) int maxQueued) {

  /** Resolved thread count. */
  public int effectiveThreads() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }

  /** Resolved queue bound. */
  public int effectiveMaxQueued() {
    return maxQueued > 0 ? maxQueued : effectiveThreads();
  }
}
