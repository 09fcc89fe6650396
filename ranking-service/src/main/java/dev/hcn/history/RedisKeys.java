package dev.hcn.history;

/**
 * Key layout of the Redis store. The user id is a Redis Cluster hash tag ({@code {...}}), so that
 * all keys of one user live in one slot and one script can update them atomically:
 *
 * <ul>
 *   <li>{@code <prefix>:{<userId>}:hist} LIST of external item ids, newest first
 *   <li>{@code <prefix>:{<userId>}:feat} HASH of raw user features (name to value)
 *   <li>{@code <prefix>:{<userId>}:seen} ZSET of ingested event identities ({@code item:ts}) scored
 *       by timestamp: the replay guard, trimmed together with the history
 * </ul>
 *
 * Ingestion refuses user ids holding braces, which would move the hash tag.
 */
public record RedisKeys(String prefix) {

  public String history(String userId) {
    return prefix + ":{" + userId + "}:hist";
  }

  public String features(String userId) {
    return prefix + ":{" + userId + "}:feat";
  }

  public String seen(String userId) {
    return prefix + ":{" + userId + "}:seen";
  }
}
