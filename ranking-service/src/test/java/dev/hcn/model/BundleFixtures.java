package dev.hcn.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bundles for swap tests: the committed ml-1m bundle ({@link TestBundles#path()}), a second, small
 * valid one with another version ({@link #SECOND}, written by {@code python3 -m hcn.synthetic
 * --items 2000 --n 4 --dim 16 --long 20 --short 5 --seed 3}), and copies of the first broken in one
 * way each, so that exactly one check refuses them.
 */
public final class BundleFixtures {

  /** A second valid bundle: other name, version, sizes and weights. */
  public static final Path SECOND = Path.of("src/test/bundles/synthetic-2k").toAbsolutePath();

  private BundleFixtures() {}

  /** A copy of the test bundle with one byte of the item matrix changed (sha256 now wrong). */
  public static Path badChecksum(Path parent) {
    Path dir = copy(TestBundles.path(), parent.resolve("bad-checksum"));
    Path items = dir.resolve("items.f32");
    byte[] bytes = read(items);
    bytes[bytes.length / 2] ^= 0x01;
    write(items, bytes);
    return dir;
  }

  /**
   * A copy whose ONNX tower is another model's (the second bundle's), with its sha256 updated: the
   * checksums pass, the tower's declared input lengths do not match the manifest.
   */
  public static Path wrongSignature(Path parent) {
    Path dir = copy(TestBundles.path(), parent.resolve("wrong-signature"));
    replaceFile(dir, "user_tower.onnx", read(SECOND.resolve("user_tower.onnx")));
    return dir;
  }

  /**
   * A copy whose item embeddings are scaled by 1.01, with sha256 updated: everything loads, but the
   * scores no longer match PyTorch's golden answers.
   */
  public static Path failsGolden(Path parent) {
    Path dir = copy(TestBundles.path(), parent.resolve("fails-golden"));
    ByteBuffer items =
        ByteBuffer.wrap(read(dir.resolve("items.f32"))).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < items.capacity(); i += Float.BYTES) {
      items.putFloat(i, items.getFloat(i) * 1.01f);
    }
    replaceFile(dir, "items.f32", items.array());
    return dir;
  }

  /**
   * A copy whose second item id repeats the first, with sha256 updated: the checksums pass, the id
   * index refuses the duplicate.
   */
  public static Path duplicateItemId(Path parent) {
    Path dir = copy(TestBundles.path(), parent.resolve("duplicate-item-id"));
    byte[] ids = read(dir.resolve("item_ids.i64"));
    // Row 0 is the padding row; rows 1 and 2 are the first two items.
    System.arraycopy(ids, Long.BYTES, ids, 2 * Long.BYTES, Long.BYTES);
    replaceFile(dir, "item_ids.i64", ids);
    return dir;
  }

  /** A copy with an unparsable manifest. */
  public static Path badManifest(Path parent) {
    Path dir = copy(TestBundles.path(), parent.resolve("bad-manifest"));
    write(dir.resolve("manifest.json"), "{\"format\": ".getBytes());
    return dir;
  }

  /** A plain copy of a bundle folder. */
  public static Path copy(Path from, Path to) {
    try {
      Files.createDirectories(to);
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : files.toList()) {
          Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code name} and records its new sha256 in the manifest. */
  private static void replaceFile(Path dir, String name, byte[] content) {
    write(dir.resolve(name), content);
    Path manifest = dir.resolve("manifest.json");
    ObjectNode root = (ObjectNode) BundleLoader.JSON.readTree(manifest.toFile());
    ((ObjectNode) root.get("files")).put(name, sha256(content));
    write(manifest, BundleLoader.JSON.writeValueAsBytes(root));
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, byte[] content) {
    try {
      Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
