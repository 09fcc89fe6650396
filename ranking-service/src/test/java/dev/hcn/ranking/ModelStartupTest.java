package dev.hcn.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hcn.history.HistoryReader;
import dev.hcn.history.HistoryStoreWarmUp;
import dev.hcn.history.UserHistory;
import dev.hcn.model.ModelProperties;
import dev.hcn.model.ModelRegistry;
import dev.hcn.model.TestBundles;
import dev.hcn.scoring.TopKScorer;
import dev.hcn.scoring.VectorScoringKernel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/** Start-up order: refuse traffic, load, warm, install, then accept traffic; a bad bundle stops. */
class ModelStartupTest {

  private final List<Object> events = new ArrayList<>();
  private final ModelRegistry registry = new ModelRegistry();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RankingMetrics metrics = new RankingMetrics(meters);
  private final DefaultRankingService service =
      new DefaultRankingService(
          registry,
          HistoryReader.direct(id -> UserHistory.EMPTY),
          new InterestCache(0, meters),
          new TopKScorer(new VectorScoringKernel(), 20_000, null),
          TestRanking.LIMITS,
          metrics,
          AdmissionControl.unlimited(metrics));

  private ModelStartup startup(String path) {
    return startup(path, 0, List.of());
  }

  private ModelStartup startup(String path, int warmupRequests, List<ApiWarmUp> apis) {
    return startup(path, warmupRequests, apis, List.of());
  }

  private ModelStartup startup(
      String path, int warmupRequests, List<ApiWarmUp> apis, List<HistoryStoreWarmUp> stores) {
    // Records each event together with whether a model was serving at that moment.
    ApplicationEventPublisher publisher =
        event -> events.add(List.of(event, registry.current().isPresent()));
    var properties =
        new ModelProperties(
            path,
            2,
            warmupRequests,
            TestBundles.defaultSession(),
            new ModelProperties.Watch(false, Duration.ofSeconds(5)));
    var activator =
        new ModelActivator(TestBundles.loader(), registry, service, metrics, properties);
    var beans = new StaticListableBeanFactory();
    for (int i = 0; i < stores.size(); i++) {
      beans.addBean("historyStoreWarmUp" + i, stores.get(i));
    }
    return new ModelStartup(
        activator,
        properties,
        publisher,
        registry,
        apis,
        beans.getBeanProvider(HistoryStoreWarmUp.class));
  }

  @Test
  void acceptsTrafficOnlyOnceTheHistoryStoreIsConnected() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean warm = new AtomicBoolean();
    var store =
        HistoryStoreWarmUp.start(
            () -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              warm.set(true);
            },
            () -> {},
            Duration.ofSeconds(30));
    var startup = startup(TestBundles.path().toString(), 0, List.of(), List.of(store));
    Thread run = Thread.ofPlatform().start(() -> startup.run(new DefaultApplicationArguments()));
    try {
      // The model is installed, then the start waits for the store's connection: still refusing.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (registry.current().isEmpty() && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertThat(registry.current()).isPresent();
      run.join(300);
      assertThat(run.isAlive()).isTrue();
      assertThat(events).hasSize(1);
      assertThat(readiness(0)).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
      release.countDown();
      run.join(10_000);
      assertThat(run.isAlive()).isFalse();
      assertThat(warm).isTrue();
      assertThat(events).hasSize(2);
      assertThat(readiness(1)).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
    } finally {
      release.countDown();
      registry.close();
    }
  }

  @Test
  void refusesTrafficUntilTheBundleIsLoadedAndWarmedThenAccepts() throws Exception {
    assertThatThrownBy(service::model).isInstanceOf(RankingException.class);
    startup(TestBundles.path().toString()).run(new DefaultApplicationArguments());
    try {
      assertThat(events).hasSize(2);
      assertThat(readiness(0)).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
      assertThat(servingAt(0)).isFalse();
      assertThat(readiness(1)).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
      assertThat(servingAt(1)).isTrue();
      assertThat(service.model().name()).isEqualTo(registry.current().orElseThrow().name());
      assertThat(
              meters
                  .get("hcn.model.info")
                  .tag("version", service.model().version())
                  .gauge()
                  .value())
          .isEqualTo(1.0);
      // Warm-up records no request metrics.
      assertThat(meters.find("hcn.rank.requests").timers()).allMatch(t -> t.count() == 0);
    } finally {
      registry.close();
    }
  }

  @Test
  void eachApiSendsItsWarmUpRequestsOnceTheModelServesAndBeforeReadiness() throws Exception {
    // The APIs send on threads of their own, at once: a thread-safe list, and what each saw is
    // recorded rather than asserted there, where a failure would end only that thread.
    List<String> calls = new CopyOnWriteArrayList<>();
    // What a real API's requests would find: the model installed, readiness not yet given.
    ApiWarmUp recording =
        api(
            "recording",
            (users, requests) ->
                calls.add(
                    requests
                        + " for "
                        + users
                        + ", serving "
                        + registry.current().isPresent()
                        + ", events "
                        + events.size()));
    startup(TestBundles.path().toString(), 7, List.of(recording, recording))
        .run(new DefaultApplicationArguments());
    try {
      List<String> demo = registry.current().orElseThrow().demoUsers();
      String users = (demo.isEmpty() ? List.of(ModelStartup.WARM_UP_USER) : demo).toString();
      String expected = "7 for " + users + ", serving true, events 1";
      assertThat(calls).containsExactly(expected, expected);
      assertThat(readiness(1)).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
    } finally {
      registry.close();
    }
  }

  @Test
  void anApiWhoseWarmUpThrowsDoesNotHoldBackReadiness() throws Exception {
    ApiWarmUp broken =
        api(
            "broken",
            (users, requests) -> {
              throw new IllegalStateException("connection refused");
            });
    startup(TestBundles.path().toString(), 3, List.of(broken))
        .run(new DefaultApplicationArguments());
    try {
      assertThat(events).hasSize(2);
      assertThat(readiness(1)).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
    } finally {
      registry.close();
    }
  }

  @Test
  void aBadBundleStopsStartUpAndTrafficStaysRefused() {
    assertThatThrownBy(() -> startup("/nonexistent/bundle").run(new DefaultApplicationArguments()))
        .isInstanceOf(ModelActivator.Refused.class)
        .hasMessageContaining("manifest.json");
    assertThat(events).hasSize(1);
    assertThat(readiness(0)).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
    assertThat(registry.current()).isEmpty();
  }

  @Test
  void inAContextTheBundleLoadsWhileTheContextStartsAndReadinessStillWaitsForRun() {
    ModelStartup startup = startup(TestBundles.path().toString());
    startup.afterPropertiesSet(); // what the context calls once the bean exists
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (registry.current().isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      // Installed before the runner ran, and no readiness given for it.
      assertThat(registry.current()).isPresent();
      assertThat(events).isEmpty();
      startup.run(new DefaultApplicationArguments());
      assertThat(events).hasSize(2);
      assertThat(readiness(0)).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
      assertThat(readiness(1)).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
      // Loaded once: the runner did not load it again.
      assertThat(meters.get("hcn.model.swaps").tag("outcome", "ok").counter().count())
          .isEqualTo(1.0);
    } finally {
      startup.destroy();
      registry.close();
    }
  }

  @Test
  void aBadBundleLoadingInTheBackgroundStillStopsStartUpFromTheRunner() {
    ModelStartup startup = startup("/nonexistent/bundle");
    startup.afterPropertiesSet();
    assertThatThrownBy(() -> startup.run(new DefaultApplicationArguments()))
        .isInstanceOf(ModelActivator.Refused.class)
        .hasMessageContaining("manifest.json");
    assertThat(readiness(events.size() - 1)).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
    assertThat(registry.current()).isEmpty();
    startup.destroy(); // returns at once: the load has ended
  }

  @Test
  void aContextClosingDuringTheLoadWaitsForItSoTheRegistryClosesWhatItInstalled() {
    ModelStartup startup = startup(TestBundles.path().toString());
    startup.afterPropertiesSet();
    startup.destroy();
    try {
      assertThat(registry.current()).isPresent();
    } finally {
      registry.close();
    }
  }

  /** An API whose warm-up is {@code send}. */
  private static ApiWarmUp api(String name, BiConsumer<List<String>, Integer> send) {
    return new ApiWarmUp() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void send(List<String> users, int requests) {
        send.accept(users, requests);
      }
    };
  }

  private Object readiness(int i) {
    return ((AvailabilityChangeEvent<?>) ((List<?>) events.get(i)).get(0)).getState();
  }

  private boolean servingAt(int i) {
    return (Boolean) ((List<?>) events.get(i)).get(1);
  }
}
