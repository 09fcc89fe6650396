package dev.hcn.model;

/**
 * A bundle that cannot be served; the message names the file and what is wrong with it, {@link
 * #check()} which check refused it.
 */
public class BundleException extends RuntimeException {

  private final BundleCheck check;

  public BundleException(BundleCheck check, String message) {
    super(message);
    this.check = check;
  }

  public BundleException(BundleCheck check, String message, Throwable cause) {
    super(message, cause);
    this.check = check;
  }

  public BundleCheck check() {
    return check;
  }
}
