package dev.hcn.model;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Path;
import java.util.Map;

/**
 * The bundle the tests run against: the committed one ({@code ../model-artifacts/bundles/hcn-ml1m}
 * from the module directory), or another folder given as {@code -Dhcn.test.bundle=...}.
 */
public final class TestBundles {

  /** Property that points the tests at another bundle folder. */
  public static final String PROPERTY = "hcn.test.bundle";

  private TestBundles() {}

  public static Path path() {
    return Path.of(System.getProperty(PROPERTY, "../model-artifacts/bundles/hcn-ml1m"))
        .toAbsolutePath()
        .normalize();
  }

  public static ModelProperties.Session defaultSession() {
    return session(true);
  }

  /** The default session options, with or without the batch dimension fixed to one. */
  public static ModelProperties.Session session(boolean batchOfOne) {
    return new ModelProperties.Session(1, 1, false, OptLevel.ALL_OPT, batchOfOne, Map.of());
  }

  public static BundleLoader loader() {
    return new BundleLoader(defaultSession());
  }

  /** Loads the test bundle; the caller closes it. */
  public static ModelBundle load() {
    return loader().load(path());
  }

  /** The bundle's golden.json, written by PyTorch. */
  public static GoldenCases golden() {
    return GoldenCases.read(path().resolve("golden.json"));
  }
}
