package dev.hcn.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Path;
import java.util.List;
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
    return new ModelProperties.Session(1, 1, false, OptLevel.ALL_OPT, Map.of());
  }

  public static BundleLoader loader() {
    return new BundleLoader(OrtEnvironment.getEnvironment(), defaultSession());
  }

  /** Loads the test bundle; the caller closes it. */
  public static ModelBundle load() {
    return loader().load(path());
  }

  /** The bundle's golden.json, written by PyTorch. */
  public static Golden golden() {
    return BundleLoader.JSON.readValue(path().resolve("golden.json").toFile(), Golden.class);
  }

  /** {@code golden.json} (format hcn-golden/1). */
  public record Golden(String format, Tolerance tolerance, List<Case> cases) {}

  public record Tolerance(double interestsAbs, double scoreAbs) {}

  public record Case(
      String name,
      long[] history,
      Map<String, String> userFeatures,
      long[] longIds,
      long[] shortIds,
      long[] featureIds,
      float[][] interests,
      long[] candidates,
      int k,
      List<Top> topk) {
    @Override
    public String toString() {
      return name;
    }
  }

  public record Top(long itemId, double score) {}
}
