package dev.hcn.model;

import java.util.List;
import java.util.Map;

/**
 * Turns raw user input (external item ids, raw feature values) into the tower's inputs, following
 * the bundle contract: unknown items are dropped (never padded), the short window holds the L_short
 * most recent events, the long window the L_long events before them, both left-padded.
 */
public final class UserInputEncoder {

  private final ItemIdIndex index;
  private final int longLength;
  private final int shortLength;
  private final List<String> featureNames;
  private final List<Map<String, Integer>> vocabularies;

  public UserInputEncoder(
      ItemIdIndex index,
      int longLength,
      int shortLength,
      List<BundleManifest.UserFeature> features) {
    this.index = index;
    this.longLength = longLength;
    this.shortLength = shortLength;
    this.featureNames = features.stream().map(BundleManifest.UserFeature::name).toList();
    this.vocabularies = features.stream().map(f -> Map.copyOf(f.vocab())).toList();
  }

  /**
   * @param history external item ids, oldest first; may be empty, may hold unknown ids
   * @param features raw feature values by name; absent or unknown values encode as 0
   */
  public TowerInput encode(long[] history, Map<String, String> features) {
    // Only the last L_long + L_short known events can reach the tower: walk backwards and stop.
    int window = longLength + shortLength;
    long[] recent = new long[window]; // filled from the end, most recent last
    int known = 0;
    for (int i = history.length - 1; i >= 0 && known < window; i--) {
      int row = index.row(history[i]);
      if (row > 0) {
        recent[window - 1 - known] = row;
        known++;
      }
    }
    long[] shortIds = new long[shortLength];
    long[] longIds = new long[longLength];
    int inShort = Math.min(known, shortLength);
    System.arraycopy(recent, window - inShort, shortIds, shortLength - inShort, inShort);
    int inLong = known - inShort;
    System.arraycopy(recent, window - inShort - inLong, longIds, longLength - inLong, inLong);
    return new TowerInput(longIds, shortIds, encodeFeatures(features), known);
  }

  long[] encodeFeatures(Map<String, String> features) {
    long[] ids = new long[featureNames.size()];
    if (features == null || features.isEmpty()) {
      return ids;
    }
    for (int f = 0; f < ids.length; f++) {
      String raw = features.get(featureNames.get(f));
      if (raw != null) {
        ids[f] = vocabularies.get(f).getOrDefault(raw, 0);
      }
    }
    return ids;
  }

  /** Feature names in tower order. */
  public List<String> featureNames() {
    return featureNames;
  }
}
