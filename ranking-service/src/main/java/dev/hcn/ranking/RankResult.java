package dev.hcn.ranking;

import java.util.List;

/**
 * The answer to a {@link RankQuery}.
 *
 * @param modelName bundle name from the manifest
 * @param modelVersion bundle version from the manifest
 * @param items the top-k, best first; ties broken by item id ascending
 * @param candidatesScored distinct known candidates that were scored
 * @param candidatesUnknown candidates not in the bundle's catalogue (skipped, counted)
 * @param coldStart true when the user had no usable history
 * @param fallback true when a degraded path served the request (for example the history store
 *     failed and the last good or an empty history was used)
 * @param fallbackReason why ({@link dev.hcn.history.FallbackReason} slug), {@code null} unless
 *     {@code fallback}
 */
public record RankResult(
    String modelName,
    String modelVersion,
    List<RankedItem> items,
    int candidatesScored,
    int candidatesUnknown,
    boolean coldStart,
    boolean fallback,
    String fallbackReason) {}
