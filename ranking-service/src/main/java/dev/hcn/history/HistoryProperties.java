package dev.hcn.history;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where behaviour histories come from and how the service protects itself from a slow store. The
 * Redis address is Spring Boot's standard {@code spring.data.redis.*} (host/port, or {@code
 * cluster.nodes} for a Redis Cluster); its {@code timeout} is the per-call timeout.
 *
 * @param source {@code embedded} (the bundle's demo histories, no external store; the zero
 *     dependency default) or {@code redis}
 * @param keyPrefix first part of every Redis key: {@code <prefix>:{<userId>}:hist} and {@code
 *     <prefix>:{<userId>}:feat}; lets several services share one Redis
 * @param length events kept and read per user; 0 means L_long + L_short of the serving bundle,
 *     which is all the tower can use
 * @param budget total time a ranking request may spend on its history; past it the request is
 *     answered as a fallback. Above the per-call timeout, so that the timeout normally fires first
 *     and this only guards against a stuck call
 * @param cache the Caffeine cache in front of the Redis store
 * @param breaker the Resilience4j circuit breaker around the Redis store
 */
@Validated
@ConfigurationProperties("hcn.history")
public record HistoryProperties(
    @DefaultValue("embedded") @NotNull Source source,
    @DefaultValue("hcn") @Pattern(regexp = "[^{}\\s]+") String keyPrefix,
    @DefaultValue("0") @Min(0) @Max(100_000) int length,
    @DefaultValue("150ms") @NotNull Duration budget,
    @DefaultValue @Valid @NotNull Cache cache,
    @DefaultValue @Valid @NotNull Breaker breaker) {

  /** The history store. */
  public enum Source {
    EMBEDDED,
    REDIS
  }

  /**
   * Unknown users (empty histories) are never cached, so a burst of random ids cannot evict real
   * users.
   *
   * @param maxSize most users kept; 100,000 histories of 100 ids are about 100 MB
   * @param ttl how long a read is served without asking Redis again; short, because another
   *     replica's ingestion is only seen after it (this replica's own ingestion evicts at once)
   * @param staleTtl how long the last good read is kept to answer from when Redis fails
   */
  public record Cache(
      @DefaultValue("100000") @Min(1) long maxSize,
      @DefaultValue("2s") @NotNull Duration ttl,
      @DefaultValue("10m") @NotNull Duration staleTtl) {}

  /**
   * @param failureRate percentage of failed or timed-out calls in the window that opens the breaker
   * @param window calls in the sliding window the rate is computed over
   * @param minimumCalls calls needed before the rate counts, so one early failure does not open it
   * @param openFor how long the breaker stays open before it lets trial calls through
   * @param halfOpenCalls trial calls that decide whether it closes again
   */
  public record Breaker(
      @DefaultValue("50") @DecimalMin("1") @DecimalMax("100") float failureRate,
      @DefaultValue("20") @Min(1) int window,
      @DefaultValue("10") @Min(1) int minimumCalls,
      @DefaultValue("2s") @NotNull Duration openFor,
      @DefaultValue("3") @Min(1) int halfOpenCalls) {}
}
