package dev.hcn.model;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the bundle lives and how its ONNX session runs.
 *
 * @param bundlePath bundle folder, relative to the working directory (the repository root for
 *     {@code make run} and {@code spring-boot:run})
 * @param warmupRuns tower runs before the service reports ready
 * @param warmupRequests whole-catalogue ranking requests each API (REST, gRPC) sends to the service
 *     itself over loopback at start, after the model is warm and before the service reports ready;
 *     they count in the request metrics like any other. Off by default because start-up time is
 *     what scale-out waits for: 50 cost about 0.5–0.8 s of it on two cores (the first requests
 *     through Tomcat, Jackson, Netty and protobuf load and interpret their code). What they buy is
 *     a warmer first second: at 300 requests/s straight after readiness, gRPC shed 19 instead of
 *     117–178 requests in the first 30 s, and REST's p99 in it fell from 1.1–1.7 s to 0.4 s
 *     * @param session ONNX Runtime session options
 * @param watch optional polling of {@code bundlePath} for a new target (a {@code current} link that
 *     a Kubernetes volume update or a deploy script repoints)
 */
@Validated
@ConfigurationProperties("hcn.model")
public record ModelProperties(
    @DefaultValue("model-artifacts/bundles/hcn-ml1m") @NotBlank String bundlePath,
    @DefaultValue("3") @Min(1) @Max(1000) int warmupRuns,
    @DefaultValue("0") @Min(0) @Max(100_000) int warmupRequests,
    @DefaultValue @Valid @NotNull Session session,
    @DefaultValue @Valid @NotNull Watch watch) {

  /**
   * @param enabled off by default: swaps then come only through the admin API
   * @param interval how often the link is read; 5 s is far below a volume update's own latency
   *     (tens of seconds for a ConfigMap) and costs one {@code readlink} per period
   */
  public record Watch(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("5s") @NotNull @DurationMin(millis = 100) java.time.Duration interval) {}

  /**
   * @param intraOpThreads threads inside one operator; 1 because requests already run in parallel
   * @param interOpThreads threads across operators
   * @param allowSpinning whether idle ORT threads spin; off, so they do not burn the cores that
   *     scoring needs
   * @param optimizationLevel graph optimisation level
   * @param batchOfOne fixes the tower's symbolic {@code batch} dimension to 1 when the session is
   *     created: the service always feeds one user per call, and with a known batch the optimiser
   *     folds the shape arithmetic the exporter leaves around every reshape (on the ml-1m bundle
   *     about 230 → 185 µs per call, docs/performance.md)
   * @param configEntries further raw session config entries, applied last
   */
  public record Session(
      @DefaultValue("1") @Min(1) @Max(256) int intraOpThreads,
      @DefaultValue("1") @Min(1) @Max(256) int interOpThreads,
      @DefaultValue("false") boolean allowSpinning,
      @DefaultValue("ALL_OPT") @NotNull OptLevel optimizationLevel,
      @DefaultValue("true") boolean batchOfOne,
      @DefaultValue Map<String, String> configEntries) {}
}
