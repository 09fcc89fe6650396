package dev.hcn.ranking;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.TowerInput;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.Arrays;

/**
 * Interest vectors by (model, exact tower input), so that a repeated request for an unchanged
 * history skips the ONNX tower. The key holds the whole encoded input (a few hundred bytes), not a
 * hash of it: two inputs share an entry only when they are equal, so a hit is always the vectors
 * the tower would compute. The model part is the bundle's version and the sha256 of its tower file,
 * so a swapped bundle never sees the old model's vectors.
 */
public final class InterestCache {

  private final Cache<Key, float[]> cache;

  /**
   * @param maxSize entries kept; 0 disables the cache (every request runs the tower)
   */
  public InterestCache(long maxSize, MeterRegistry registry) {
    if (maxSize <= 0) {
      this.cache = null;
      return;
    }
    this.cache = Caffeine.newBuilder().maximumSize(maxSize).recordStats().build();
    CaffeineCacheMetrics.monitor(registry, cache, "interests");
  }

  /** The bundle's interests for {@code input}, from the cache or computed and remembered. */
  public float[] interests(ModelBundle bundle, TowerInput input) {
    if (cache == null) {
      return bundle.tower().interests(input);
    }
    // The returned array is shared between requests: the scoring flow only reads it.
    return cache.get(Key.of(bundle, input), k -> bundle.tower().interests(input));
  }

  /** A fingerprint that is the input itself, with the model's identity. */
  record Key(String model, long[] input, int hash) {

    static Key of(ModelBundle bundle, TowerInput in) {
      var m = bundle.manifest();
      String model = m.version() + "/" + m.files().get(m.tower().file());
      long[] all = new long[in.longIds().length + in.shortIds().length + in.featureIds().length];
      System.arraycopy(in.longIds(), 0, all, 0, in.longIds().length);
      System.arraycopy(in.shortIds(), 0, all, in.longIds().length, in.shortIds().length);
      System.arraycopy(
          in.featureIds(),
          0,
          all,
          in.longIds().length + in.shortIds().length,
          in.featureIds().length);
      return new Key(model, all, 31 * model.hashCode() + Arrays.hashCode(all));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && hash == k.hash
          && model.equals(k.model)
          && Arrays.equals(input, k.input);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
