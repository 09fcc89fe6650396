package dev.hcn.model;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the bundle lives and how its ONNX session runs.
 *
 * @param bundlePath bundle folder, relative to the working directory (the repository root for
 *     {@code spring-boot:run})
 * @param warmupRuns tower runs before the service reports ready
 * @param session ONNX Runtime session options
 */
@Validated
@ConfigurationProperties("hcn.model")
public record ModelProperties(
    @DefaultValue("model-artifacts/bundles/hcn-ml1m") @NotBlank String bundlePath,
    @DefaultValue("3") @Min(1) @Max(1000) int warmupRuns,
    @DefaultValue @Valid @NotNull Session session) {

  /**
   * @param intraOpThreads threads inside one operator; 1 because requests already run in parallel
   * @param interOpThreads threads across operators
   * @param allowSpinning whether idle ORT threads spin; off, so they do not burn the cores that
   *     scoring needs
   * @param optimizationLevel graph optimisation level
   * @param configEntries further raw session config entries, applied last
   */
  public record Session(
      @DefaultValue("1") @Min(1) @Max(256) int intraOpThreads,
      @DefaultValue("1") @Min(1) @Max(256) int interOpThreads,
      @DefaultValue("false") boolean allowSpinning,
      @DefaultValue("ALL_OPT") @NotNull OptLevel optimizationLevel,
      @DefaultValue Map<String, String> configEntries) {}
}
