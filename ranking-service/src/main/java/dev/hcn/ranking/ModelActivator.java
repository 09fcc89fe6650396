package dev.hcn.ranking;

import dev.hcn.logging.LogSafe;
import dev.hcn.model.BundleCheck;
import dev.hcn.model.BundleException;
import dev.hcn.model.BundleLoader;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelProperties;
import dev.hcn.model.ModelRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The one way a bundle starts serving, at start-up and on every swap: load it beside the serving
 * one (checksums, items, ONNX signature), replay every golden case, warm it up, and only then
 * install it atomically. A bundle that fails any check is closed and refused, and the serving one
 * is untouched. Requests still running on the old bundle finish on it; it is closed when the last
 * of them lets go (see {@link ModelRegistry}). One activation runs at a time.
 */
@Component
public class ModelActivator {

  /** What started an activation; a metric tag. */
  public enum Action {
    STARTUP,
    ADMIN,
    ROLLBACK,
    WATCH;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The bundle that serves after an activation, and the one it replaced. */
  public record Outcome(
      Action action, ModelInfo model, Path directory, Optional<Path> previous, long millis) {}

  /** An activation that was not attempted; the reason is a stable slug. */
  public static final class NotAttempted extends RuntimeException {
    private final String reason;

    NotAttempted(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    /** {@code swap-in-progress} or {@code no-previous-model}. */
    public String reason() {
      return reason;
    }
  }

  /**
   * A bundle that failed a check and does not serve; the serving bundle stays. Carries the check's
   * stable slug so that callers above ranking need not know the model package.
   */
  public static final class Refused extends RuntimeException {
    private final String check;

    Refused(BundleException cause) {
      super(cause.getMessage(), cause);
      this.check = cause.check().slug();
    }

    /** Slug of the check that refused the bundle, e.g. {@code sha256}. */
    public String check() {
      return check;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ModelActivator.class);

  private final BundleLoader loader;
  private final ModelRegistry registry;
  private final DefaultRankingService service;
  private final GoldenVerifier golden;
  private final RankingMetrics metrics;
  private final int warmupRuns;
  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private Path serving;
  private Path previous;

  public ModelActivator(
      BundleLoader loader,
      ModelRegistry registry,
      DefaultRankingService service,
      RankingMetrics metrics,
      ModelProperties properties) {
    this.loader = loader;
    this.registry = registry;
    this.service = service;
    this.golden = new GoldenVerifier(service);
    this.metrics = metrics;
    this.warmupRuns = properties.warmupRuns();
  }

  /**
   * Verifies the bundle in {@code directory} and makes it the serving one.
   *
   * @throws Refused naming the failed check; the serving bundle stays
   * @throws NotAttempted when another activation is running
   */
  public Outcome activate(Path directory, Action action) {
    if (!lock.tryLock()) {
      metrics.swap(action.tag, "busy");
      throw new NotAttempted("swap-in-progress", "another model swap is running; retry after it");
    }
    try {
      return activateLocked(resolve(directory), action);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Serves the bundle that served before the last activation again, verified like a new one.
   *
   * @throws NotAttempted when there is none, or another activation is running
   */
  public Outcome rollback() {
    if (!lock.tryLock()) {
      metrics.swap(Action.ROLLBACK.tag, "busy");
      throw new NotAttempted("swap-in-progress", "another model swap is running; retry after it");
    }
    try {
      if (previous == null) {
        metrics.swap(Action.ROLLBACK.tag, "no-previous-model");
        throw new NotAttempted("no-previous-model", "no bundle served before this one");
      }
      return activateLocked(previous, Action.ROLLBACK);
    } finally {
      lock.unlock();
    }
  }

  /** What the service reports about the serving bundle, once one serves. */
  public Optional<ModelInfo> model() {
    return registry.current().map(ModelInfo::of);
  }

  /** The folder of the serving bundle, once one serves. */
  public Optional<Path> serving() {
    lock.lock();
    try {
      return Optional.ofNullable(serving);
    } finally {
      lock.unlock();
    }
  }

  /** The folder a rollback would return to. */
  public Optional<Path> previous() {
    lock.lock();
    try {
      return Optional.ofNullable(previous);
    } finally {
      lock.unlock();
    }
  }

  private Outcome activateLocked(Path directory, Action action) {
    long start = System.nanoTime();
    ModelBundle bundle;
    try {
      bundle = prepare(directory);
    } catch (BundleException e) {
      metrics.swap(action.tag, e.check().slug());
      log.warn(
          "{}: refused bundle {} ({}): {}",
          action.tag,
          LogSafe.text(directory),
          e.check().slug(),
          LogSafe.text(e.getMessage()));
      throw new Refused(e);
    }
    registry.install(bundle);
    Optional<Path> replaced = Optional.ofNullable(serving);
    previous = serving;
    serving = directory;
    metrics.modelInfo(bundle.name(), bundle.version());
    metrics.swap(action.tag, "ok");
    long millis = (System.nanoTime() - start) / 1_000_000;
    log.info(
        "{}: serving bundle {} {} from {} ({} items, n={}, D={}); verified and warmed in {} ms",
        action.tag,
        bundle.name(),
        bundle.version(),
        LogSafe.text(directory),
        bundle.itemCount(),
        bundle.interests(),
        bundle.dim(),
        millis);
    return new Outcome(action, ModelInfo.of(bundle), directory, replaced, millis);
  }

  /** Loads and verifies a bundle that does not serve yet; closes it again if any check fails. */
  private ModelBundle prepare(Path directory) {
    ModelBundle bundle = loader.load(directory);
    try {
      golden.verify(bundle);
      warmUp(bundle);
      return bundle;
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private void warmUp(ModelBundle bundle) {
    try {
      service.warmUp(bundle, warmupRuns);
    } catch (BundleException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new BundleException(
          BundleCheck.WARM_UP, "bundle " + bundle.directory() + ": warm-up failed: " + e, e);
    }
  }

  /** The real folder behind links (a {@code current} link must not hide which bundle serves). */
  static Path resolve(Path directory) {
    try {
      return directory.toRealPath();
    } catch (IOException e) {
      return directory.toAbsolutePath().normalize();
    }
  }
}
