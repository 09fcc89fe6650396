package dev.hcn.ranking;

import dev.hcn.logging.LogSafe;
import dev.hcn.model.ModelProperties;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Watched-folder mode ({@code hcn.model.watch.enabled}): polls where {@code hcn.model.bundle-path}
 * (typically a {@code current} link) points and activates the new target when it changes. It reacts
 * to a change of the link only, not to a difference from the serving bundle, so a swap or rollback
 * through the admin API is not undone; a refused target is not retried until the link moves again.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1) // after ModelStartup has installed the first bundle
class ModelWatcher implements ApplicationRunner, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(ModelWatcher.class);

  private final ModelActivator activator;
  private final Path link;
  private final ModelProperties.Watch watch;
  private ScheduledExecutorService timer;
  // Only touched by the timer thread after start.
  private Path lastSeen;

  ModelWatcher(ModelActivator activator, ModelProperties properties) {
    this.activator = activator;
    this.link = Path.of(properties.bundlePath());
    this.watch = properties.watch();
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!watch.enabled()) {
      return;
    }
    lastSeen = ModelActivator.resolve(link);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("model-watch").daemon(true).factory());
    long period = watch.interval().toMillis();
    timer.scheduleWithFixedDelay(this::poll, period, period, TimeUnit.MILLISECONDS);
    log.info("watching {} every {} ms for a new bundle", link, period);
  }

  /** One look at the link; activates its target if it moved since the last look. */
  void poll() {
    Path target = ModelActivator.resolve(link);
    if (target.equals(lastSeen)) {
      return;
    }
    try {
      activator.activate(target, ModelActivator.Action.WATCH);
      lastSeen = target;
    } catch (ModelActivator.Refused e) {
      lastSeen = target; // refused (logged and counted by the activator): wait for the next move
    } catch (ModelActivator.NotAttempted e) {
      // Another swap is running: look again next period.
    } catch (RuntimeException e) {
      log.error("watch: activating {} failed", LogSafe.text(target), LogSafe.exception(e));
      lastSeen = target;
    }
  }

  @Override
  public void destroy() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
