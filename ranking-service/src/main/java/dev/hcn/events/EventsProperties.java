package dev.hcn.events;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of event ingestion ({@code POST /v1/events}, gRPC {@code Ingest}).
 *
 * @param maxBatch most events in one request; 1,000 keeps one request's scripts well inside the
 *     per-call Redis timeout
 * @param maxFutureSkew how far in the future a timestamp may lie (clock skew between producers); a
 *     later one would sit at the top of the history and the replay guard for good
 */
@Validated
@ConfigurationProperties("hcn.events")
public record EventsProperties(
    @DefaultValue("1000") @Min(1) @Max(100_000) int maxBatch,
    @DefaultValue("1d") @NotNull Duration maxFutureSkew) {}
