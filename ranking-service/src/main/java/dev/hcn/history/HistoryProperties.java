package dev.hcn.history;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The history source and its cache.
 *
 * @param embeddedPath demo histories served by the embedded source
 * @param cache the Caffeine cache in front of the source
 */
@Validated
@ConfigurationProperties("hcn.history")
public record HistoryProperties(
    @DefaultValue("model-artifacts/bundles/hcn-ml1m/demo_histories.json") @NotBlank
        String embeddedPath,
    @DefaultValue @Valid @NotNull Cache cache) {

  /**
   * @param maxSize most users kept
   * @param ttl how long an entry lives after it was read from the source
   */
  public record Cache(
      @DefaultValue("100000") @Min(1) long maxSize, @DefaultValue("60s") @NotNull Duration ttl) {}
}
