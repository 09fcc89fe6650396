package dev.hcn.model;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the serving bundle. A request takes a {@link Lease} ({@link #lease()}) and uses that one
 * bundle throughout, so a swap never mixes two versions within one request, and a retired bundle's
 * native memory is released only when its last lease closes (see {@link ModelBundle}). Empty until
 * the first bundle is loaded and warmed up.
 */
public final class ModelRegistry implements AutoCloseable {

  private final AtomicReference<ModelBundle> current = new AtomicReference<>();

  /**
   * The serving bundle, for its descriptive data (manifest, info) only: running its tower or
   * reading its items needs a {@link #lease()}, which keeps the native session open.
   */
  public Optional<ModelBundle> current() {
    return Optional.ofNullable(current.get());
  }

  /**
   * Takes a reference on the serving bundle; close the lease when the request is done.
   *
   * @return empty while no bundle serves
   */
  public Optional<Lease> lease() {
    while (true) {
      ModelBundle bundle = current.get();
      if (bundle == null) {
        return Optional.empty();
      }
      if (bundle.retain()) {
        return Optional.of(new Lease(bundle));
      }
      // Retired and fully released between the read and retain(): the registry already holds its
      // successor (the reference is dropped only after the swap), so the next read sees that.
    }
  }

  /**
   * Makes {@code bundle} the serving one, taking over its owner's reference, and drops the
   * reference on the one it replaces: that one closes as soon as its last lease does.
   */
  public void install(ModelBundle bundle) {
    ModelBundle old = current.getAndSet(bundle);
    if (old != null && old != bundle) {
      old.close();
    }
  }

  @Override
  public void close() {
    ModelBundle bundle = current.getAndSet(null);
    if (bundle != null) {
      bundle.close();
    }
  }

  /** One request's reference on one bundle. Closing it twice has no further effect. */
  public static final class Lease implements AutoCloseable {

    private ModelBundle bundle;

    private Lease(ModelBundle bundle) {
      this.bundle = bundle;
    }

    public ModelBundle bundle() {
      if (bundle == null) {
        throw new IllegalStateException("lease already closed");
      }
      return bundle;
    }

    @Override
    public void close() {
      ModelBundle held = bundle;
      if (held != null) {
        bundle = null;
        held.release();
      }
    }
  }
}
