package dev.hcn.model;

/**
 * The checks a bundle passes before it may serve, in the order they run. The slug is part of the
 * admin API's contract (the {@code check} of a refused swap); never rename one.
 */
public enum BundleCheck {
  /** manifest.json exists, parses, and is consistent with itself. */
  MANIFEST("manifest"),
  /** Every file listed in the manifest exists and has its sha256. */
  CHECKSUM("checksum"),
  /**
   * The item matrix and id files have the declared size, finite values and distinct ids; the
   * optional item metadata and demo histories parse and name catalogue items.
   */
  ITEMS("items"),
  /** The ONNX tower loads and its inputs and outputs match the manifest. */
  ONNX_SIGNATURE("onnx-signature"),
  /** Every golden case (PyTorch's answer) is reproduced within the golden tolerances. */
  GOLDEN("golden"),
  /** Warm-up requests through the whole ranking flow succeed. */
  WARM_UP("warm-up");

  private final String slug;

  BundleCheck(String slug) {
    this.slug = slug;
  }

  public String slug() {
    return slug;
  }
}
