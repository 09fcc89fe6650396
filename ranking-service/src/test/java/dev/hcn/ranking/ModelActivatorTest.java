package dev.hcn.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.history.HistoryReader;
import dev.hcn.history.UserHistory;
import dev.hcn.model.BundleCheck;
import dev.hcn.model.BundleFixtures;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelProperties;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TestBundles;
import dev.hcn.scoring.TopKScorer;
import dev.hcn.scoring.VectorScoringKernel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Swap, rollback and the watched folder: every check refuses a bundle broken its way, and the old
 * one keeps serving.
 */
class ModelActivatorTest {

  @TempDir Path tmp;

  private final ModelRegistry registry = new ModelRegistry();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RankingMetrics metrics = new RankingMetrics(meters);
  // Bundles the service warmed up, and a failure to make their warm-up throw (null: none).
  private final List<ModelBundle> warmed = new ArrayList<>();
  private RuntimeException warmUpFailure;
  private final DefaultRankingService service =
      new DefaultRankingService(
          registry,
          HistoryReader.direct(id -> UserHistory.EMPTY),
          new InterestCache(0, meters),
          new TopKScorer(new VectorScoringKernel(), 20_000, null),
          TestRanking.LIMITS,
          metrics,
          AdmissionControl.unlimited(metrics)) {
        @Override
        public void warmUp(ModelBundle bundle, int towerRuns) {
          warmed.add(bundle);
          if (warmUpFailure != null) {
            throw warmUpFailure;
          }
          super.warmUp(bundle, towerRuns);
        }
      };
  private final ModelActivator activator =
      new ModelActivator(
          TestBundles.loader(),
          registry,
          service,
          metrics,
          new ModelProperties(
              TestBundles.path().toString(),
              2,
              0,
              TestBundles.defaultSession(),
              new ModelProperties.Watch(false, Duration.ofSeconds(5))));

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void swapsToAValidBundleAndRollsBackAndForth() {
    var first = activator.activate(TestBundles.path(), ModelActivator.Action.STARTUP);
    ModelBundle original = registry.current().orElseThrow();
    assertThat(first.previous()).isEmpty();

    var second = activator.activate(BundleFixtures.SECOND, ModelActivator.Action.ADMIN);
    assertThat(second.model().name()).isEqualTo("synthetic-2000");
    assertThat(second.previous()).contains(TestBundles.path());
    assertThat(service.model().version()).isEqualTo(second.model().version());
    assertThat(original.released()).isTrue(); // no request held it
    assertThat(gauge(second.model().version())).isEqualTo(1.0);
    assertThat(meters.find("hcn.model.info").gauges()).hasSize(1);

    var back = activator.rollback();
    assertThat(back.model().version()).isEqualTo(first.model().version());
    assertThat(back.directory()).isEqualTo(TestBundles.path());
    assertThat(activator.previous()).contains(BundleFixtures.SECOND);
    var forth = activator.rollback();
    assertThat(forth.model().version()).isEqualTo(second.model().version());

    assertThat(count("admin", "ok")).isEqualTo(1);
    assertThat(count("rollback", "ok")).isEqualTo(2);
  }

  enum Broken {
    MANIFEST(BundleCheck.MANIFEST, BundleFixtures::badManifest),
    CHECKSUM(BundleCheck.CHECKSUM, BundleFixtures::badChecksum),
    ITEMS(BundleCheck.ITEMS, BundleFixtures::duplicateItemId),
    SIGNATURE(BundleCheck.ONNX_SIGNATURE, BundleFixtures::wrongSignature),
    GOLDEN(BundleCheck.GOLDEN, BundleFixtures::failsGolden);

    final BundleCheck check;
    final Function<Path, Path> make;

    Broken(BundleCheck check, Function<Path, Path> make) {
      this.check = check;
      this.make = make;
    }
  }

  @ParameterizedTest
  @EnumSource(Broken.class)
  void aBrokenBundleIsRefusedByItsCheckAndTheOldOneKeepsServing(Broken broken) {
    activator.activate(TestBundles.path(), ModelActivator.Action.STARTUP);
    ModelBundle serving = registry.current().orElseThrow();
    Path bad = broken.make.apply(tmp);

    assertThatThrownBy(() -> activator.activate(bad, ModelActivator.Action.ADMIN))
        .isInstanceOfSatisfying(
            ModelActivator.Refused.class,
            e -> assertThat(e.check()).isEqualTo(broken.check.slug()));

    assertThat(registry.current()).containsSame(serving);
    assertThat(serving.released()).isFalse();
    assertThat(activator.serving()).contains(TestBundles.path());
    assertThat(activator.previous()).isEmpty(); // a refused bundle is no rollback target
    assertThat(count("admin", broken.check.slug())).isEqualTo(1);
    var result =
        service.rank(
            new RankQuery(null, null, 5, new long[] {1, 2}, java.util.Map.of(), false),
            RequestContext.unbounded("test"));
    assertThat(result.modelVersion()).isEqualTo(serving.version());
  }

  @Test
  void aBundleWhoseWarmUpFailsIsRefusedAsWarmUpAndClosed() {
    activator.activate(TestBundles.path(), ModelActivator.Action.STARTUP);
    ModelBundle serving = registry.current().orElseThrow();
    warmed.clear();
    warmUpFailure = new IllegalStateException("the warm-up ran out of native memory");

    assertThatThrownBy(() -> activator.activate(BundleFixtures.SECOND, ModelActivator.Action.ADMIN))
        .isInstanceOfSatisfying(
            ModelActivator.Refused.class,
            e -> {
              assertThat(e.check()).isEqualTo(BundleCheck.WARM_UP.slug());
              assertThat(e).hasMessageContaining("ran out of native memory");
            });

    // It passed every earlier check, so it was warmed; refused, it is closed again.
    assertThat(warmed).singleElement().satisfies(b -> assertThat(b.released()).isTrue());
    assertThat(registry.current()).containsSame(serving);
    assertThat(serving.released()).isFalse();
    assertThat(activator.previous()).isEmpty();
    assertThat(count("admin", BundleCheck.WARM_UP.slug())).isEqualTo(1);
  }

  /**
   * {@link ModelWatcher}: a {@code current} link that moves, as a Kubernetes volume update does.
   */
  @Nested
  class WatchedFolder {

    private Path link;
    private ModelWatcher watcher;

    @BeforeEach
    void serveThroughALink() throws IOException {
      link = tmp.resolve("current");
      Files.createSymbolicLink(link, TestBundles.path());
      // As ModelStartup does: the first bundle comes through the link.
      activator.activate(link, ModelActivator.Action.STARTUP);
      watcher =
          new ModelWatcher(
              activator,
              new ModelProperties(
                  link.toString(),
                  2,
                  0,
                  TestBundles.defaultSession(),
                  // Longer than the test: the test calls poll() itself.
                  new ModelProperties.Watch(true, Duration.ofHours(1))));
      watcher.run(null);
    }

    @AfterEach
    void stop() {
      watcher.destroy();
    }

    @Test
    void activatesTheTargetWhenTheLinkMovesAndNothingWhileItStays() throws IOException {
      watcher.poll();
      assertThat(activator.serving()).contains(TestBundles.path());
      assertThat(count("watch", "ok")).isZero();

      repoint(BundleFixtures.SECOND);
      watcher.poll();
      assertThat(activator.serving()).contains(BundleFixtures.SECOND);
      assertThat(service.model().name()).isEqualTo("synthetic-2000");
      assertThat(count("watch", "ok")).isEqualTo(1);

      watcher.poll();
      assertThat(count("watch", "ok")).isEqualTo(1);
    }

    @Test
    void aRefusedTargetIsNotRetriedUntilTheLinkMovesAgain() throws IOException {
      ModelBundle serving = registry.current().orElseThrow();
      repoint(BundleFixtures.badChecksum(tmp));
      watcher.poll();
      watcher.poll();
      assertThat(count("watch", BundleCheck.CHECKSUM.slug())).isEqualTo(1);
      assertThat(registry.current()).containsSame(serving);

      repoint(BundleFixtures.SECOND);
      watcher.poll();
      assertThat(activator.serving()).contains(BundleFixtures.SECOND);
    }

    @Test
    void aRollbackThroughTheAdminApiIsNotUndoneByTheUnmovedLink() throws IOException {
      repoint(BundleFixtures.SECOND);
      watcher.poll();
      activator.rollback();
      watcher.poll();
      assertThat(activator.serving()).contains(TestBundles.path());
      assertThat(count("watch", "ok")).isEqualTo(1);
    }

    /** Moves the link atomically, as a volume update swaps its {@code ..data} link. */
    private void repoint(Path target) throws IOException {
      Path next = tmp.resolve("current.next");
      Files.createSymbolicLink(next, target);
      Files.move(next, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void rollbackWithoutAPreviousBundleIsNotAttempted() {
    activator.activate(TestBundles.path(), ModelActivator.Action.STARTUP);
    assertThatThrownBy(activator::rollback)
        .isInstanceOfSatisfying(
            ModelActivator.NotAttempted.class,
            e -> assertThat(e.reason()).isEqualTo("no-previous-model"));
    assertThat(count("rollback", "no-previous-model")).isEqualTo(1);
  }

  private double gauge(String version) {
    return meters.get("hcn.model.info").tag("version", version).gauge().value();
  }

  private double count(String action, String outcome) {
    var counter =
        meters.find("hcn.model.swaps").tag("action", action).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }
}
