package dev.hcn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tower's reused native buffers: calls in turn and at once give each caller its own answer; the
 * session option that fixes the batch dimension to one changes the interests by float rounding only
 * (with fixed shapes the optimiser may pick other kernels; the bundle's golden tolerance is 1e-4).
 */
class UserTowerTest {

  private static ModelBundle bundle;

  @BeforeAll
  static void load() {
    bundle = TestBundles.load();
  }

  @AfterAll
  static void close() {
    bundle.close();
  }

  private static TowerInput input(int user) {
    long[] history = new long[5 + user % 7];
    for (int i = 0; i < history.length; i++) {
      history[i] = bundle.items().id(1 + (user * 31 + i * 17) % (bundle.items().rows() - 1));
    }
    return bundle.encoder().encode(history, Map.of());
  }

  @Test
  void reusedBuffersNeverLeakOneCallIntoTheNext() {
    float[] a = bundle.tower().interests(input(1));
    float[] b = bundle.tower().interests(input(2));
    float[] a2 = bundle.tower().interests(input(1));

    assertThat(a).isNotEqualTo(b);
    assertThat(a2).containsExactly(a);
  }

  @Test
  void fixingTheBatchDimensionToOneGivesTheSameInterestsAsADynamicBatch() {
    try (ModelBundle dynamic =
        new BundleLoader(TestBundles.session(false)).load(TestBundles.path())) {
      for (int u = 0; u < 12; u++) {
        float[] fixed = bundle.tower().interests(input(u));
        assertThat(dynamic.tower().interests(input(u))).containsExactly(fixed, within(1e-5f));
      }
    }
  }

  @Test
  void concurrentCallsEachGetTheirOwnInterests() throws Exception {
    int users = 24;
    List<float[]> expected = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      expected.add(bundle.tower().interests(input(u)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<float[]>> got = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        for (int u = 0; u < users; u++) {
          int user = u;
          got.add(pool.submit(() -> bundle.tower().interests(input(user))));
        }
      }
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i).get()).containsExactly(expected.get(i % users));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
