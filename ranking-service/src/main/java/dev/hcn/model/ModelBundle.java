package dev.hcn.model;

import dev.hcn.ranking.ModelInfo;
import dev.hcn.scoring.ItemMatrix;
import java.nio.file.Path;
import java.util.List;

/**
 * One loaded, validated bundle: manifest, user tower, item matrix, id index and input encoder.
 * Immutable; a request reads the current bundle once so that it never mixes two versions.
 */
public final class ModelBundle implements AutoCloseable {

  private final Path directory;
  private final BundleManifest manifest;
  private final UserTower tower;
  private final ItemMatrix items;
  private final ItemIdIndex index;
  private final UserInputEncoder encoder;
  private final ModelInfo info;
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
    this.info =
        new ModelInfo(
            manifest.name(),
            manifest.version(),
            model.n(),
            model.dim(),
            items.rows() - 1,
            model.longLength(),
            model.shortLength(),
            encoder.featureNames(),
            manifest.createdAt());
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

  public ModelInfo info() {
    return info;
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

  @Override
  public void close() {
    tower.close();
  }
}
