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
 */
@Validated
@ConfigurationProperties("hcn.grpc.executor")
public record GrpcExecutorProperties(@DefaultValue("0") @Min(0) @Max(1024) int threads) {

  /** Resolved thread count. */
  public int effectiveThreads() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }
}
