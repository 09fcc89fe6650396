package dev.hcn.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hcn.model.ModelBundle;
import dev.hcn.model.TestBundles;
import dev.hcn.model.TowerInput;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The interest cache on the real bundle: a repeated exact input skips the tower. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterestCacheTest {

  private ModelBundle bundle;

  @BeforeAll
  void load() {
    bundle = TestBundles.load();
  }

  @AfterAll
  void close() {
    bundle.close();
  }

  private TowerInput input(int... rows) {
    long[] ids = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      ids[i] = bundle.items().id(rows[i]);
    }
    return bundle.encoder().encode(ids, Map.of("gender", "F"));
  }

  @Test
  void aRepeatedExactInputIsServedFromTheCacheAndEqualsTheTower() {
    var meters = new SimpleMeterRegistry();
    var cache = new InterestCache(100, meters);
    float[] first = cache.interests(bundle, input(1, 2, 3));
    float[] again = cache.interests(bundle, input(1, 2, 3));
    assertThat(again).isSameAs(first); // no second tower run
    assertThat(first).containsExactly(bundle.tower().interests(input(1, 2, 3)));
    float[] other = cache.interests(bundle, input(1, 2, 4));
    assertThat(other).isNotSameAs(first);
    assertThat(other).containsExactly(bundle.tower().interests(input(1, 2, 4)));
    assertThat(hits(meters, "hit")).isEqualTo(1.0);
    assertThat(hits(meters, "miss")).isEqualTo(2.0);
  }

  @Test
  void theKeyIsTheWholeInputAndTheModel() {
    TowerInput a = input(5, 6);
    TowerInput b = input(5, 6);
    assertThat(InterestCache.Key.of(bundle, a)).isEqualTo(InterestCache.Key.of(bundle, b));
    TowerInput otherFeatures =
        bundle.encoder().encode(new long[] {bundle.items().id(5), bundle.items().id(6)}, Map.of());
    assertThat(InterestCache.Key.of(bundle, a))
        .isNotEqualTo(InterestCache.Key.of(bundle, otherFeatures));
  }

  @Test
  void sizeZeroDisablesIt() {
    var meters = new SimpleMeterRegistry();
    var off = new InterestCache(0, meters);
    float[] first = off.interests(bundle, input(1, 2, 3));
    assertThat(off.interests(bundle, input(1, 2, 3))).isNotSameAs(first).containsExactly(first);
    assertThat(meters.find("cache.gets").meters()).isEmpty();
  }

  private static double hits(SimpleMeterRegistry meters, String result) {
    return meters
        .get("cache.gets")
        .tag("cache", "interests")
        .tag("result", result)
        .functionCounter()
        .count();
  }
}
