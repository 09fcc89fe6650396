package dev.hcn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Loads the real bundle, then corrupted copies of it, each of which must be refused by name. */
class BundleLoaderTest {

  private static ModelBundle bundle;

  @TempDir Path temp;

  @BeforeAll
  static void loadOnce() {
    bundle = TestBundles.load();
  }

  @AfterAll
  static void close() {
    bundle.close();
  }

  @Test
  void loadsTheBundleAndItsSignature() {
    var manifest = bundle.manifest();
    assertThat(manifest.format()).isEqualTo("hcn-bundle/1");
    assertThat(bundle.items().rows()).isEqualTo(manifest.items().rows());
    assertThat(bundle.items().dim()).isEqualTo(manifest.model().dim());
    assertThat(bundle.index().size()).isEqualTo(manifest.items().rows() - 1);
    for (int row = 1; row < bundle.items().rows(); row++) {
      assertThat(bundle.index().row(bundle.items().id(row))).isEqualTo(row);
    }
    assertThat(bundle.name()).isEqualTo(manifest.name());
    assertThat(bundle.itemCount()).isEqualTo(manifest.items().rows() - 1);
    assertThat(bundle.userFeatures())
        .containsExactlyElementsOf(
            manifest.userFeatures().stream().map(BundleManifest.UserFeature::name).toList());
  }

  @Test
  void towerGivesFiniteInterestsForAnEmptyHistory() {
    float[] u = bundle.tower().interests(bundle.encoder().encode(new long[0], null));
    assertThat(u).hasSize(bundle.interests() * bundle.dim());
    for (float v : u) {
      assertThat(Float.isFinite(v)).isTrue();
    }
  }

  @Test
  void wrongShaIsRefused() throws IOException {
    Path copy = copy();
    editManifest(copy, m -> ((ObjectNode) m.get("files")).put("items.f32", "00".repeat(32)));
    assertRefused(copy, "items.f32", "sha256 mismatch");
  }

  @Test
  void alteredFileIsRefusedByItsSha() throws IOException {
    Path copy = copy();
    Path items = copy.resolve("items.f32");
    byte[] bytes = Files.readAllBytes(items);
    bytes[bytes.length / 2] ^= 1;
    Files.write(items, bytes);
    assertRefused(copy, "items.f32", "sha256 mismatch");
  }

  @Test
  void truncatedItemsAreRefusedEvenWithAMatchingSha() throws IOException {
    Path copy = copy();
    Path items = copy.resolve("items.f32");
    try (FileChannel ch = FileChannel.open(items, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 4L * bundle.items().dim());
    }
    rehash(copy, "items.f32");
    assertRefused(copy, "items.f32", "bytes");
  }

  @Test
  void wrongDimIsRefused() throws IOException {
    Path copy = copy();
    int dim = bundle.items().dim() + 8;
    editManifest(
        copy,
        m -> {
          ((ObjectNode) m.get("model")).put("dim", dim);
          ((ObjectNode) m.get("items")).put("dim", dim);
          ((ArrayNode) m.get("tower").get("outputs").get(0).get("shape")).set(2, dim);
        });
    assertRefused(copy, "items.f32", "bytes");
  }

  @Test
  void dimDisagreeingWithinTheManifestIsRefused() throws IOException {
    Path copy = copy();
    editManifest(copy, m -> ((ObjectNode) m.get("items")).put("dim", 7));
    assertRefused(copy, "manifest.json", "items.dim 7");
  }

  @Test
  void windowLengthTheModelDoesNotHaveIsRefusedByTheOnnxSignature() throws IOException {
    Path copy = copy();
    int longLength = bundle.longLength() + 1;
    editManifest(
        copy,
        m -> {
          ((ObjectNode) m.get("model")).put("long_length", longLength);
          ((ArrayNode) m.get("tower").get("inputs").get(0).get("shape")).set(1, longLength);
        });
    assertRefused(copy, "user_tower.onnx", "long_ids has shape");
  }

  @Test
  void missingFileIsRefused() throws IOException {
    Path copy = copy();
    Files.delete(copy.resolve("item_ids.i64"));
    assertRefused(copy, "item_ids.i64", "missing");
  }

  @Test
  void missingManifestIsRefused() throws IOException {
    Path copy = copy();
    Files.delete(copy.resolve("manifest.json"));
    assertRefused(copy, "manifest.json", "missing");
  }

  @Test
  void unknownFormatIsRefused() throws IOException {
    Path copy = copy();
    editManifest(copy, m -> m.put("format", "hcn-bundle/2"));
    assertRefused(copy, "manifest.json", "hcn-bundle/2");
  }

  @Test
  void onnxInputNameDifferentFromTheManifestIsRefused() throws IOException {
    Path copy = copy();
    // Rename the graph input (and its uses) inside the protobuf: same length, still a valid model.
    Path onnx = copy.resolve("user_tower.onnx");
    byte[] bytes = Files.readAllBytes(onnx);
    byte[] from = "long_ids".getBytes(StandardCharsets.US_ASCII);
    byte[] to = "long_idz".getBytes(StandardCharsets.US_ASCII);
    int replaced = 0;
    for (int i = 0; i + from.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
        System.arraycopy(to, 0, bytes, i, to.length);
        replaced++;
      }
    }
    assertThat(replaced).isPositive();
    Files.write(onnx, bytes);
    rehash(copy, "user_tower.onnx");
    assertRefused(copy, "user_tower.onnx", "long_idz");
  }

  @Test
  void itemMetadataGivesTitlesAndTheDemoUsersKeepTheirOrder() {
    // The committed bundle's items_meta.json is generated from ml-1m's movies.dat.
    assertThat(bundle.itemMetadata().size()).isEqualTo(bundle.itemCount());
    assertThat(bundle.itemMetadata().get(1))
        .isEqualTo(
            new ItemMetadata.Item(
                "Toy Story (1995)", java.util.List.of("Animation", "Children's", "Comedy")));
    assertThat(bundle.itemMetadata().title(-12345)).isNull();
    assertThat(bundle.demoUsers()).hasSize(300).first().isEqualTo("42");
  }

  @Test
  void bundleWithoutItemMetadataLoadsWithoutTitles() throws IOException {
    Path copy = copy();
    Files.delete(copy.resolve("items_meta.json"));
    editManifest(
        copy,
        m -> {
          m.remove("items_meta");
          ((ObjectNode) m.get("files")).remove("items_meta.json");
        });
    try (ModelBundle plain = TestBundles.loader().load(copy)) {
      assertThat(plain.itemMetadata().size()).isZero();
      assertThat(plain.itemMetadata().title(plain.items().id(1))).isNull();
    }
  }

  @Test
  void alteredItemMetadataIsRefusedByItsSha() throws IOException {
    Path copy = copy();
    Path meta = copy.resolve("items_meta.json");
    Files.writeString(meta, Files.readString(meta).replace("Toy Story", "Toy Storm"));
    assertRefused(copy, "items_meta.json", "sha256 mismatch");
  }

  @Test
  void itemMetadataWithoutChecksumIsRefused() throws IOException {
    Path copy = copy();
    editManifest(copy, m -> ((ObjectNode) m.get("files")).remove("items_meta.json"));
    assertRefused(copy, "manifest.json", "items_meta.json has no sha256");
  }

  @Test
  void itemMetadataForItemsOutsideTheCatalogueIsRefused() throws IOException {
    Path copy = copy();
    Path meta = copy.resolve("items_meta.json");
    Files.writeString(
        meta, "{\"format\": \"hcn-items-meta/1\", \"items\": {\"999999999\": {\"title\": \"x\"}}}");
    rehash(copy, "items_meta.json");
    assertRefused(copy, "items_meta.json", "999999999 is not in the catalogue");
  }

  @Test
  void itemMetadataOfAnotherFormatIsRefused() throws IOException {
    Path copy = copy();
    Files.writeString(copy.resolve("items_meta.json"), "{\"format\": \"other/9\", \"items\": {}}");
    rehash(copy, "items_meta.json");
    assertRefused(copy, "items_meta.json", "other/9");
  }

  private void assertRefused(Path copy, String file, String mismatch) {
    assertThatThrownBy(() -> TestBundles.loader().load(copy).close())
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(file)
        .hasMessageContaining(mismatch);
  }

  private Path copy() throws IOException {
    Path target = temp.resolve("bundle");
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(TestBundles.path())) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    return target;
  }

  private static void editManifest(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Path file = dir.resolve("manifest.json");
    ObjectNode manifest = (ObjectNode) BundleLoader.JSON.readTree(file.toFile());
    edit.accept(manifest);
    Files.writeString(file, BundleLoader.JSON.writeValueAsString(manifest));
  }

  private static void rehash(Path dir, String name) throws IOException {
    String sha;
    try {
      sha =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(Files.readAllBytes(dir.resolve(name))));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    editManifest(dir, m -> ((ObjectNode) m.get("files")).put(name, sha));
  }
}
