package dev.hcn.ranking;

import dev.hcn.logging.LogSafe;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelProperties;
import dev.hcn.model.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Loads, verifies and warms the bundle once the servers are up, installs it, sends each API's
 * warm-up requests ({@link ApiWarmUp}), and only then declares the application ready. Until then
 * readiness refuses traffic (and ranking answers NOT_READY until the bundle is installed). A bad
 * bundle throws here, which stops start-up.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ModelStartup implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(ModelStartup.class);

  /** The user of warm-up requests when the bundle names no demo users. */
  static final String WARM_UP_USER = "warm-up";

  private final ModelActivator activator;
  private final ModelProperties properties;
  private final ApplicationEventPublisher events;
  private final ModelRegistry registry;
  private final List<ApiWarmUp> apis;

  ModelStartup(
      ModelActivator activator,
      ModelProperties properties,
      ApplicationEventPublisher events,
      ModelRegistry registry,
      List<ApiWarmUp> apis) {
    this.activator = activator;
    this.properties = properties;
    this.events = events;
    this.registry = registry;
    this.apis = List.copyOf(apis);
  }

  @Override
  public void run(ApplicationArguments args) {
    AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    activator.activate(Path.of(properties.bundlePath()), ModelActivator.Action.STARTUP);
    if (properties.warmupRequests() > 0 && !apis.isEmpty()) {
      warmUpApis(registry.current().orElseThrow(), properties.warmupRequests());
    }
    AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
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
