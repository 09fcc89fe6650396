package dev.hcn.api.grpc;

import dev.hcn.events.EventsProperties;
import dev.hcn.ranking.RankingProperties;

/**
 * The largest gRPC message the server takes, sized to the request limits so that every request
 * those limits allow fits, and a message far beyond them is refused before it is parsed.
 */
final class GrpcMessageLimit {

  /** Widest protobuf encoding of one int64 id (a varint). */
  static final int BYTES_PER_ID = 10;

  /** Room for the user id, features, k, flags and field framing. */
  static final int HEADROOM = 64 * 1024;

  private GrpcMessageLimit() {}

  /** Bytes needed by the largest rank and ingest requests the limits allow. */
  static long needed(RankingProperties ranking, EventsProperties events) {
    long rank = (long) BYTES_PER_ID * ((long) ranking.maxCandidates() + ranking.maxHistory());
    // An event: user id (at most 3 UTF-8 bytes per Java char), item id, timestamp, framing.
    long ingest = events.maxBatch() * (3L * ranking.maxUserIdLength() + 3L * BYTES_PER_ID + 8);
    return Math.max(rank, ingest) + HEADROOM;
  }

  /**
   * The configured size, or the needed one when none is set.
   *
   * @throws IllegalStateException when a configured size cannot carry {@code max-candidates} ids
   */
  static int inboundBytes(
      GrpcApiProperties api, RankingProperties ranking, EventsProperties events) {
    if (api.maxInboundMessageSize() == null) {
      return (int) Math.min(Integer.MAX_VALUE, needed(ranking, events));
    }
    long configured = api.maxInboundMessageSize().toBytes();
    long ids = (long) BYTES_PER_ID * ranking.maxCandidates();
    if (configured < ids) {
      throw new IllegalStateException(
          "hcn.grpc.max-inbound-message-size ("
              + configured
              + " bytes) cannot carry hcn.ranking.max-candidates="
              + ranking.maxCandidates()
              + " ids ("
              + ids
              + " bytes at "
              + BYTES_PER_ID
              + " bytes each); raise it or leave it unset");
    }
    return (int) configured;
  }
}
