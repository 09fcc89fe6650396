package dev.hcn.api.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * REST adapter limits, enforced before any work is done for a request.
 *
 * @param maxBodySize largest request body, counted as it is read (chunked bodies included); 8 MB
 *     fits 200,000 candidate ids as JSON. It also caps the JSON document length.
 * @param maxJsonNestingDepth deepest nesting of JSON objects and arrays; requests nest three deep
 * @param maxJsonNumberLength longest JSON number literal in characters; an int64 has 20
 * @param maxJsonStringLength longest JSON string value in characters (user ids, feature values)
 * @param maxJsonNameLength longest JSON property name in characters
 */
@Validated
@ConfigurationProperties("hcn.api.rest")
public record RestProperties(
    @DefaultValue("8MB") @NotNull DataSize maxBodySize,
    @DefaultValue("32") @Min(4) @Max(1000) int maxJsonNestingDepth,
    @DefaultValue("64") @Min(24) @Max(10_000) int maxJsonNumberLength,
    @DefaultValue("65536") @Min(256) @Max(100_000_000) int maxJsonStringLength,
    @DefaultValue("256") @Min(32) @Max(100_000) int maxJsonNameLength) {

  public RestProperties {
    if (maxBodySize != null && (maxBodySize.toBytes() < 1024 || maxBodySize.toBytes() > 1L << 31)) {
      throw new IllegalArgumentException(
          "hcn.api.rest.max-body-size must be between 1KB and 2GB, was " + maxBodySize);
    }
  }
}
