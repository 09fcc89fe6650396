package dev.hcn.events;

/**
 * What one ingestion request did.
 *
 * @param accepted events appended to histories
 * @param rejected events not appended: {@code duplicates + stale}
 * @param duplicates events already stored (a replay)
 * @param stale events older than everything the user's replay guard remembers
 */
public record IngestResult(int accepted, int rejected, int duplicates, int stale) {}
