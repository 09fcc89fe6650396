package dev.hcn.history;

import java.util.Map;

/**
 * What a history source knows about one user.
 *
 * @param items external item ids, oldest first
 * @param features raw user features by name
 */
public record UserHistory(long[] items, Map<String, String> features) {

  /** An unknown user: cold start. */
  public static final UserHistory EMPTY = new UserHistory(new long[0], Map.of());

  public UserHistory {
    items = items == null ? new long[0] : items;
    features = features == null ? Map.of() : Map.copyOf(features);
  }

  public boolean isEmpty() {
    return items.length == 0 && features.isEmpty();
  }
}
