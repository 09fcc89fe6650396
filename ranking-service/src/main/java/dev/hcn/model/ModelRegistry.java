package dev.hcn.model;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the serving bundle. A request reads it once ({@link #current()}) and uses that snapshot
 * throughout, so a swap never mixes two versions within one request. Empty until the bundle is
 * loaded and warmed up.
 */
public final class ModelRegistry implements AutoCloseable {

  private final AtomicReference<ModelBundle> current = new AtomicReference<>();

  public Optional<ModelBundle> current() {
    return Optional.ofNullable(current.get());
  }

  /**
   * Makes {@code bundle} the serving one and returns the one it replaced (not closed: requests may
   * still be using it).
   */
  public Optional<ModelBundle> install(ModelBundle bundle) {
    return Optional.ofNullable(current.getAndSet(bundle));
  }

  @Override
  public void close() {
    ModelBundle bundle = current.getAndSet(null);
    if (bundle != null) {
      bundle.close();
    }
  }
}
