package dev.hcn.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.hcn.scoring.ItemMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and validates a bundle folder: manifest format, sha256 of every listed file, the ONNX
 * tower's signature against the manifest, the item files' sizes and ids. Anything wrong is a {@link
 * BundleException} naming the file and the mismatch, so a bad bundle stops start-up.
 */
public final class BundleLoader {

  /** Reads the bundle's snake_case JSON files (manifest, golden cases, demo histories). */
  public static final JsonMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private static final String MANIFEST = "manifest.json";
  private static final List<String> INPUTS = List.of("long_ids", "short_ids", "user_features");
  private static final String OUTPUT = "interests";

  private final ModelProperties.Session options;

  public BundleLoader(ModelProperties.Session options) {
    this.options = options;
  }

  /** Loads the bundle in {@code directory}; the caller owns (and closes) the result. */
  public ModelBundle load(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    BundleManifest manifest = readManifest(dir);
    checkManifest(manifest);
    for (Map.Entry<String, String> file : manifest.files().entrySet()) {
      verifySha256(dir, file.getKey(), file.getValue());
    }
    var itemsSpec = manifest.items();
    ItemMatrix items;
    try {
      items =
          ItemMatrix.load(
              dir.resolve(itemsSpec.embeddings()),
              dir.resolve(itemsSpec.ids()),
              itemsSpec.rows(),
              itemsSpec.dim());
    } catch (IOException e) {
      // ItemMatrix names the file whose size is wrong.
      throw new BundleException(BundleCheck.ITEMS, "bundle " + dir + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new BundleException(
          BundleCheck.ITEMS,
          "bundle " + dir + ": " + itemsSpec.embeddings() + ": " + e.getMessage(),
          e);
    }
    ItemIdIndex index = buildIndex(dir, itemsSpec.ids(), items);
    // The process-wide environment, fetched here rather than injected: creating it loads ONNX
    // Runtime's native libraries (about 150 ms), and the first load runs on the model-startup
    // thread, beside the context's start instead of on its critical path.
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = openSession(env, dir, manifest);
    try {
      checkSignature(dir, manifest, session);
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
    ItemMetadata meta;
    List<String> demoUsers;
    try {
      meta = readItemMetadata(dir, manifest.itemsMeta(), index);
      demoUsers = readDemoUserIds(dir, manifest.demoHistories());
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
    return new ModelBundle(
        dir, manifest, new UserTower(env, session, manifest), items, index, meta, demoUsers);
  }

  private static ItemMetadata readItemMetadata(Path dir, String file, ItemIdIndex index) {
    if (file == null) {
      return ItemMetadata.NONE;
    }
    try {
      return ItemMetadata.of(
          JSON.readValue(dir.resolve(file).toFile(), ItemMetadata.File.class), index);
    } catch (JacksonException e) {
      throw new BundleException(
          BundleCheck.ITEMS,
          "bundle " + dir + ": " + file + ": unreadable: " + e.getOriginalMessage(),
          e);
    } catch (IllegalArgumentException e) {
      throw new BundleException(
          BundleCheck.ITEMS, "bundle " + dir + ": " + file + ": " + e.getMessage(), e);
    }
  }

  /** The ids of the demo users, in file order (the exporter puts user "42" first). */
  private static List<String> readDemoUserIds(Path dir, String file) {
    try {
      JsonNode users = JSON.readTree(dir.resolve(file).toFile()).path("users");
      return List.copyOf(users.propertyNames());
    } catch (JacksonException e) {
      throw new BundleException(
          BundleCheck.ITEMS,
          "bundle " + dir + ": " + file + ": unreadable: " + e.getOriginalMessage(),
          e);
    }
  }

  private static BundleManifest readManifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    try {
      return JSON.readValue(file.toFile(), BundleManifest.class);
    } catch (JacksonException e) {
      if (e.getCause() instanceof NoSuchFileException || !Files.exists(file)) {
        throw new BundleException(
            BundleCheck.MANIFEST, "bundle " + dir + ": " + MANIFEST + ": file is missing");
      }
      throw new BundleException(
          BundleCheck.MANIFEST,
          "bundle " + dir + ": " + MANIFEST + ": unreadable: " + e.getOriginalMessage(),
          e);
    }
  }

  private static void checkManifest(BundleManifest m) {
    require(BundleManifest.FORMAT.equals(m.format()), "format is " + m.format());
    require(m.name() != null && m.version() != null, "name and version are required");
    require(m.model() != null && m.tower() != null && m.items() != null, "model, tower, items");
    require(m.files() != null && !m.files().isEmpty(), "files (sha256 list) is missing");
    var model = m.model();
    require(model.n() > 0 && model.dim() > 0, "model.n and model.dim must be positive");
    require(model.longLength() > 0 && model.shortLength() > 0, "long_length and short_length > 0");
    require(model.temperature() > 0, "model.temperature must be positive");
    require(
        m.items().dim() == model.dim(),
        "items.dim " + m.items().dim() + " differs from model.dim " + model.dim());
    require(m.items().rows() >= 1, "items.rows must be at least 1 (row 0 is padding)");
    require(m.userFeatures() != null, "user_features is missing");
    for (String f :
        List.of(m.tower().file(), m.items().embeddings(), m.items().ids(), m.demoHistories())) {
      require(f != null && m.files().containsKey(f), "file " + f + " has no sha256 in files");
    }
    require(
        m.itemsMeta() == null || m.files().containsKey(m.itemsMeta()),
        "file " + m.itemsMeta() + " has no sha256 in files");
    var tower = m.tower();
    require(
        tower.inputs() != null
            && tower.inputs().stream().map(BundleManifest.TensorSpec::name).toList().equals(INPUTS),
        "tower.inputs must be " + INPUTS);
    require(
        tower.outputs() != null
            && tower.outputs().size() == 1
            && OUTPUT.equals(tower.outputs().getFirst().name()),
        "tower.outputs must be [" + OUTPUT + "]");
    expectSpec(tower.inputs().get(0), "int64", List.of(-1L, (long) model.longLength()));
    expectSpec(tower.inputs().get(1), "int64", List.of(-1L, (long) model.shortLength()));
    expectSpec(tower.inputs().get(2), "int64", List.of(-1L, (long) m.userFeatures().size()));
    expectSpec(
        tower.outputs().getFirst(), "float32", List.of(-1L, (long) model.n(), (long) model.dim()));
  }

  private static void expectSpec(BundleManifest.TensorSpec spec, String dtype, List<Long> shape) {
    require(
        dtype.equals(spec.dtype()) && shape.equals(spec.shape()),
        "tower "
            + spec.name()
            + " is declared "
            + spec.dtype()
            + spec.shape()
            + ", the model config implies "
            + dtype
            + shape);
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new BundleException(BundleCheck.MANIFEST, MANIFEST + ": " + what);
    }
  }

  private static void verifySha256(Path dir, String name, String expected) {
    Path file = dir.resolve(name).normalize();
    if (!file.startsWith(dir)) {
      throw new BundleException(
          BundleCheck.CHECKSUM, "bundle " + dir + ": " + name + ": path leaves the bundle");
    }
    if (!Files.isRegularFile(file)) {
      throw new BundleException(
          BundleCheck.CHECKSUM, "bundle " + dir + ": " + name + ": file is missing");
    }
    String actual;
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) {
        sha.update(buf, 0, r);
      }
      actual = HexFormat.of().formatHex(sha.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new BundleException(
          BundleCheck.CHECKSUM, "bundle " + dir + ": " + name + ": cannot be read: " + e, e);
    }
    if (!actual.equalsIgnoreCase(expected)) {
      throw new BundleException(
          BundleCheck.CHECKSUM,
          "bundle "
              + dir
              + ": "
              + name
              + ": sha256 mismatch (manifest "
              + expected
              + ", file "
              + actual
              + ")");
    }
  }

  private static ItemIdIndex buildIndex(Path dir, String idsFile, ItemMatrix items) {
    long[] ids = new long[items.rows()];
    for (int row = 1; row < ids.length; row++) {
      ids[row] = items.id(row);
    }
    try {
      return ItemIdIndex.of(ids);
    } catch (IllegalArgumentException e) {
      throw new BundleException(
          BundleCheck.ITEMS, "bundle " + dir + ": " + idsFile + ": " + e.getMessage(), e);
    }
  }

  private OrtSession openSession(OrtEnvironment env, Path dir, BundleManifest manifest) {
    String file = manifest.tower().file();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(options.interOpThreads());
      so.setOptimizationLevel(options.optimizationLevel());
      if (options.batchOfOne()) {
        so.setSymbolicDimensionValue(BundleManifest.BATCH_DIMENSION, 1);
      }
      String spin = options.allowSpinning() ? "1" : "0";
      so.addConfigEntry("session.intra_op.allow_spinning", spin);
      so.addConfigEntry("session.inter_op.allow_spinning", spin);
      for (var entry : options.configEntries().entrySet()) {
        so.addConfigEntry(entry.getKey(), entry.getValue());
      }
      return env.createSession(dir.resolve(file).toString(), so);
    } catch (OrtException e) {
      throw new BundleException(
          BundleCheck.ONNX_SIGNATURE,
          "bundle " + dir + ": " + file + ": not a loadable ONNX model: " + e);
    }
  }

  private void checkSignature(Path dir, BundleManifest m, OrtSession session) {
    String file = m.tower().file();
    try {
      compare(dir, file, "input", m.tower().inputs(), session.getInputInfo(), OnnxJavaType.INT64);
      compare(
          dir, file, "output", m.tower().outputs(), session.getOutputInfo(), OnnxJavaType.FLOAT);
    } catch (OrtException e) {
      throw new BundleException(
          BundleCheck.ONNX_SIGNATURE,
          "bundle " + dir + ": " + file + ": cannot read its signature",
          e);
    }
  }

  private void compare(
      Path dir,
      String file,
      String kind,
      List<BundleManifest.TensorSpec> declared,
      Map<String, NodeInfo> actual,
      OnnxJavaType type) {
    String prefix = "bundle " + dir + ": " + file + ": ";
    var names = declared.stream().map(BundleManifest.TensorSpec::name).toList();
    if (!actual.keySet().equals(new java.util.HashSet<>(names))) {
      throw new BundleException(
          BundleCheck.ONNX_SIGNATURE,
          prefix + kind + "s are " + actual.keySet() + ", the manifest declares " + names);
    }
    for (BundleManifest.TensorSpec spec : declared) {
      if (!(actual.get(spec.name()).getInfo() instanceof TensorInfo info)) {
        throw new BundleException(
            BundleCheck.ONNX_SIGNATURE, prefix + kind + " " + spec.name() + " is not a tensor");
      }
      if (info.type != type) {
        throw new BundleException(
            BundleCheck.ONNX_SIGNATURE,
            prefix + kind + " " + spec.name() + " has type " + info.type + ", expected " + type);
      }
      long[] shape = info.getShape();
      boolean ok = shape.length == spec.shape().size();
      for (int i = 0; ok && i < shape.length; i++) {
        long want = spec.shape().get(i);
        // A fixed model dim must equal the manifest's; a manifest -1 (batch) must stay dynamic,
        // or read 1 where the session fixed the batch dimension to one (batchOfOne).
        boolean dynamic = shape[i] < 0 || (options.batchOfOne() && shape[i] == 1);
        ok = want == -1 ? dynamic : shape[i] < 0 || shape[i] == want;
      }
      if (!ok) {
        throw new BundleException(
            BundleCheck.ONNX_SIGNATURE,
            prefix
                + kind
                + " "
                + spec.name()
                + " has shape "
                + java.util.Arrays.toString(shape)
                + ", the manifest declares "
                + spec.shape());
      }
    }
  }

  private static void closeQuietly(OrtSession session, RuntimeException cause) {
    try {
      session.close();
    } catch (OrtException e) {
      cause.addSuppressed(e);
    }
  }
}
