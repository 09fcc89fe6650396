package dev.hcn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Reference counting of bundles: a retired bundle closes exactly when its last lease does. */
class ModelRegistryLeaseTest {

  @Test
  void aLeaseHeldAcrossASwapKeepsTheOldBundleOpenUntilItCloses() {
    ModelRegistry registry = new ModelRegistry();
    ModelBundle first = TestBundles.load();
    registry.install(first);
    ModelRegistry.Lease lease = registry.lease().orElseThrow();

    ModelBundle second = TestBundles.load();
    registry.install(second);
    assertThat(first.released()).isFalse();
    // The old bundle still runs for the request that holds it.
    assertThat(lease.bundle().tower().interests(sampleInput(first))).hasSize(8 * 48);
    try (var fresh = registry.lease().orElseThrow()) {
      assertThat(fresh.bundle()).isSameAs(second);
    }

    lease.close();
    assertThat(first.released()).isTrue();
    lease.close(); // twice is harmless
    assertThat(second.released()).isFalse();
    assertThatThrownBy(() -> first.tower().interests(sampleInput(first)))
        .isInstanceOf(IllegalStateException.class);

    registry.close();
    assertThat(second.released()).isTrue();
  }

  @Test
  void aReleasedBundleCannotBeRetainedAgain() {
    ModelBundle bundle = TestBundles.load();
    bundle.close();
    assertThat(bundle.released()).isTrue();
    assertThat(bundle.retain()).isFalse();
    bundle.close(); // the owner's reference is dropped once only
    assertThat(bundle.released()).isTrue();
  }

  @Test
  void anUninstalledRegistryLeasesNothing() {
    assertThat(new ModelRegistry().lease()).isEmpty();
  }

  /**
   * Eight threads rank through leases while the main thread installs ten fresh bundles: no request
   * ever sees a closed session, and every retired bundle is released once the readers stop.
   */
  @Test
  void concurrentLeasesAndSwapsNeverUseAClosedSessionAndReleaseEveryRetiredBundle()
      throws Exception {
    ModelRegistry registry = new ModelRegistry();
    List<ModelBundle> all = new ArrayList<>();
    ModelBundle initial = TestBundles.load();
    all.add(initial);
    registry.install(initial);
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong runs = new AtomicLong();
    int readers = 8;
    CountDownLatch started = new CountDownLatch(readers);
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    for (int t = 0; t < readers; t++) {
      pool.submit(
          () -> {
            started.countDown();
            while (!stop.get()) {
              try (ModelRegistry.Lease lease = registry.lease().orElseThrow()) {
                ModelBundle b = lease.bundle();
                if (b.released()) {
                  throw new AssertionError("leased a released bundle");
                }
                b.tower().interests(sampleInput(b));
                runs.incrementAndGet();
              } catch (Throwable e) {
                failures.add(e);
              }
            }
          });
    }
    started.await();
    for (int swap = 0; swap < 10; swap++) {
      ModelBundle next = TestBundles.load();
      all.add(next);
      long before = runs.get();
      registry.install(next);
      // Let requests overlap the swap before the next one.
      while (runs.get() < before + 50) {
        Thread.onSpinWait();
      }
    }
    stop.set(true);
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(failures).isEmpty();
    assertThat(all.subList(0, all.size() - 1)).allMatch(ModelBundle::released);
    assertThat(all.getLast().released()).isFalse();
    registry.close();
    assertThat(all.getLast().released()).isTrue();
  }

  private static TowerInput sampleInput(ModelBundle bundle) {
    long[] history = {bundle.items().id(1), bundle.items().id(2), bundle.items().id(3)};
    return bundle.encoder().encode(history, Map.of());
  }
}
