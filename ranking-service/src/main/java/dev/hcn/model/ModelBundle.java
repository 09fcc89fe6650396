package dev.hcn.model;

import dev.hcn.scoring.ItemMatrix;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded, validated bundle: manifest, user tower, item matrix, id index and input encoder.
 * Immutable; a request reads the current bundle once so that it never mixes two versions.
 *
 * <p>The ONNX session is native memory, so its release is reference counted. Invariants:
 *
 * <ul>
 *   <li>The count starts at 1: the owner's reference (whoever loaded it, then the {@link
 *       ModelRegistry} once installed). {@link #close()} drops that reference, at most once.
 *   <li>Every other reference is a request's {@link ModelRegistry.Lease}, taken by {@link
 *       #retain()} and dropped by {@link #release()}.
 *   <li>{@link #retain()} succeeds only while the count is positive, so once it has reached zero it
 *       never rises again: the native session is closed exactly once, by whoever drops the last
 *       reference, and never while a holder can still run the tower.
 * </ul>
 */
public final class ModelBundle implements AutoCloseable {

  private final AtomicInteger references = new AtomicInteger(1);
  private final AtomicBoolean ownerReleased = new AtomicBoolean();

  private final Path directory;
  private final BundleManifest manifest;
  private final UserTower tower;
  private final ItemMatrix items;
  private final ItemIdIndex index;
  private final UserInputEncoder encoder;
  private final ItemMetadata itemMetadata;
  private final List<String> demoUsers;

  ModelBundle(
      Path directory,
      BundleManifest manifest,
      UserTower tower,
      ItemMatrix items,
      ItemIdIndex index,
      ItemMetadata itemMetadata,
      List<String> demoUsers) {
    this.directory = directory;
    this.itemMetadata = itemMetadata;
    this.demoUsers = List.copyOf(demoUsers);
    this.manifest = manifest;
    this.tower = tower;
    this.items = items;
    this.index = index;
    var model = manifest.model();
    this.encoder =
        new UserInputEncoder(
            index, model.longLength(), model.shortLength(), manifest.userFeatures());
  }

  public Path directory() {
    return directory;
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** The bundle's demo histories file, whose sha256 the loader checked against the manifest. */
  public Path demoHistories() {
    return directory.resolve(manifest.demoHistories());
  }

  public UserTower tower() {
    return tower;
  }

  public ItemMatrix items() {
    return items;
  }

  public ItemIdIndex index() {
    return index;
  }

  public UserInputEncoder encoder() {
    return encoder;
  }

  /** Bundle name from the manifest. */
  public String name() {
    return manifest.name();
  }

  /** Bundle version from the manifest. */
  public String version() {
    return manifest.version();
  }

  /** n, the number of interest vectors. */
  public int interests() {
    return manifest.model().n();
  }

  /** D, the embedding dimension. */
  public int dim() {
    return manifest.model().dim();
  }

  /** Items in the catalogue: the matrix rows minus the padding row. */
  public int itemCount() {
    return items.rows() - 1;
  }

  /** L_long. */
  public int longLength() {
    return manifest.model().longLength();
  }

  /** L_short. */
  public int shortLength() {
    return manifest.model().shortLength();
  }

  /** User-feature names in the order the tower expects them. */
  public List<String> userFeatures() {
    return encoder.featureNames();
  }

  /** Titles and features of the items ({@link ItemMetadata#NONE} when the bundle has none). */
  public ItemMetadata itemMetadata() {
    return itemMetadata;
  }

  /** Ids of the users whose histories the bundle ships, in file order. */
  public List<String> demoUsers() {
    return demoUsers;
  }

  /** Softmax temperature of the scoring aggregation. */
  public float temperature() {
    return manifest.model().temperature();
  }

  /**
   * Takes one more reference unless the bundle is already released.
   *
   * @return false when the count has reached zero (the session is closed or closing)
   */
  boolean retain() {
    for (int n = references.get(); n > 0; n = references.get()) {
      if (references.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Drops one reference; the last one closes the ONNX session. */
  void release() {
    int left = references.decrementAndGet();
    if (left == 0) {
      tower.close();
      NativeHeap.trim();
    } else if (left < 0) {
      throw new IllegalStateException("bundle " + directory + " released more often than retained");
    }
  }

  /** Whether the last reference is gone and the native session closed. */
  public boolean released() {
    return references.get() == 0;
  }

  /**
   * Drops the owner's reference (idempotent); the session closes once no request holds the bundle
   * either.
   */
  @Override
  public void close() {
    if (ownerReleased.compareAndSet(false, true)) {
      release();
    }
  }
}
