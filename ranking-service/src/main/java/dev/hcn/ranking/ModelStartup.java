package dev.hcn.ranking;

import dev.hcn.history.HistoryStoreWarmUp;
import dev.hcn.logging.LogSafe;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelProperties;
import dev.hcn.model.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Loads, verifies, warms and installs the bundle, sends each API's warm-up requests ({@link
 * ApiWarmUp}) once the servers are up, and only then declares the application ready. Until then
 * readiness refuses traffic (and ranking answers NOT_READY until the bundle is installed). A bad
 * bundle throws from {@link #run}, which stops start-up.
 *
 * <p>The bundle starts loading on a thread of its own as soon as this bean exists ({@link
 * #afterPropertiesSet}), while the context goes on creating the other beans and starting the
 * servers, which is mostly one thread's work: start-to-ready then waits for the longer of the two
 * instead of their sum. The history store connects beside them in the same way ({@link
 * HistoryStoreWarmUp}, Redis only), and readiness waits for that too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ModelStartup implements ApplicationRunner, InitializingBean, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(ModelStartup.class);

  /** The user of warm-up requests when the bundle names no demo users. */
  static final String WARM_UP_USER = "warm-up";

  /** Longest a closing context waits for the load: more than the largest bundle's load. */
  private static final long DESTROY_WAIT_S = 60;

  private final ModelActivator activator;
  private final ModelProperties properties;
  private final ApplicationEventPublisher events;
  private final ModelRegistry registry;
  private final List<ApiWarmUp> apis;
  private final ObjectProvider<HistoryStoreWarmUp> historyWarmUps;
  private final CompletableFuture<ModelActivator.Outcome> loading = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();

  ModelStartup(
      ModelActivator activator,
      ModelProperties properties,
      ApplicationEventPublisher events,
      ModelRegistry registry,
      List<ApiWarmUp> apis,
      ObjectProvider<HistoryStoreWarmUp> historyWarmUps) {
    this.activator = activator;
    this.properties = properties;
    this.events = events;
    this.registry = registry;
    this.apis = List.copyOf(apis);
    this.historyWarmUps = historyWarmUps;
  }

  /** Starts loading the bundle (daemon: a context that fails to start must not wait for it). */
  @Override
  public void afterPropertiesSet() {
    if (started.compareAndSet(false, true)) {
      Thread.ofPlatform().name("model-startup").daemon().start(this::load);
    }
  }

  private void load() {
    try {
      loading.complete(
          activator.activate(Path.of(properties.bundlePath()), ModelActivator.Action.STARTUP));
    } catch (Throwable e) {
      loading.completeExceptionally(e);
    }
  }

  @Override
  public void run(ApplicationArguments args) {
    AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    if (started.compareAndSet(false, true)) {
      load(); // not created by a context: load here
    }
    awaitModel();
    // The history store (Redis only) connected beside the start; the API warm-ups go through it.
    historyWarmUps.orderedStream().forEach(HistoryStoreWarmUp::await);
    if (properties.warmupRequests() > 0 && !apis.isEmpty()) {
      warmUpApis(registry.current().orElseThrow(), properties.warmupRequests());
    }
    AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
  }

  /** Waits for the load and rethrows its failure as thrown, so that it stops start-up. */
  private void awaitModel() {
    try {
      loading.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * A context closing during start-up (a failed start, a test's context) waits for the load, so
   * that the registry it depends on, closed after this bean, also closes the bundle it installed.
   */
  @Override
  public void destroy() {
    if (!started.get()) {
      return;
    }
    try {
      loading.handle((outcome, failure) -> outcome).get(DESTROY_WAIT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("model start-up still running at shutdown: {}", LogSafe.text(e));
    }
  }

  private void warmUpApis(ModelBundle bundle, int requests) {
    List<String> users = bundle.demoUsers();
    // A bundle without demo users is warmed with a cold-start user, which runs the same path.
    List<String> warm = users.isEmpty() ? List.of(WARM_UP_USER) : users;
    // The APIs at once: each request waits on loopback and the server threads much of the time.
    long start = System.nanoTime();
    List<Thread> senders = new ArrayList<>();
    for (ApiWarmUp api : apis) {
      senders.add(
          Thread.ofPlatform().name("warm-up-" + api.name()).start(() -> send(api, warm, requests)));
    }
    for (Thread sender : senders) {
      try {
        sender.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    log.info(
        "warm-up: {} requests through each of {} in {} ms",
        requests,
        apis.stream().map(ApiWarmUp::name).toList(),
        (System.nanoTime() - start) / 1_000_000);
  }

  private static void send(ApiWarmUp api, List<String> users, int requests) {
    try {
      api.send(users, requests);
    } catch (RuntimeException e) {
      // The contract says send never throws; should one break it, readiness still must not wait.
      log.warn("{} warm-up failed; serving without it: {}", api.name(), LogSafe.text(e));
    }
  }
}
