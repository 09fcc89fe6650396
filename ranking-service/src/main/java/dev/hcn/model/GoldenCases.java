package dev.hcn.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;

/**
 * A bundle's {@code golden.json} (format {@code hcn-golden/1}): inputs and the answers PyTorch gave
 * for them at export, with the tolerances within which the service must reproduce them.
 */
public record GoldenCases(String format, Tolerance tolerance, List<Case> cases) {

  public static final String FORMAT = "hcn-golden/1";

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

    public Map<String, String> features() {
      return userFeatures == null ? Map.of() : userFeatures;
    }
  }

  public record Top(long itemId, double score) {}

  /** Reads {@code golden.json} from a bundle folder. */
  public static GoldenCases read(Path file) {
    return BundleLoader.JSON.readValue(file.toFile(), GoldenCases.class);
  }

  /**
   * The golden cases of a loaded bundle (their sha256 was checked when it loaded).
   *
   * @throws BundleException (check {@link BundleCheck#GOLDEN}) when the manifest names none, the
   *     file cannot be parsed or it has no cases
   */
  public static GoldenCases of(ModelBundle bundle) {
    String name = bundle.manifest().golden();
    if (name == null) {
      throw new BundleException(
          BundleCheck.GOLDEN, "bundle " + bundle.directory() + ": manifest names no golden file");
    }
    GoldenCases golden;
    try {
      golden = read(bundle.directory().resolve(name));
    } catch (JacksonException e) {
      throw new BundleException(
          BundleCheck.GOLDEN,
          "bundle " + bundle.directory() + ": " + name + ": unreadable: " + e.getOriginalMessage(),
          e);
    }
    if (!FORMAT.equals(golden.format())
        || golden.tolerance() == null
        || golden.cases() == null
        || golden.cases().isEmpty()) {
      throw new BundleException(
          BundleCheck.GOLDEN,
          "bundle " + bundle.directory() + ": " + name + ": not " + FORMAT + " with cases");
    }
    return golden;
  }
}
