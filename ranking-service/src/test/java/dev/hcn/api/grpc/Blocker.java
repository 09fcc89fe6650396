package dev.hcn.api.grpc;

import java.util.concurrent.CountDownLatch;

/** Tasks that keep a pool thread taken until the test lets them go. */
final class Blocker {

  private Blocker() {}

  /** A task that waits for {@code release}. */
  static Runnable until(CountDownLatch release) {
    return () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }
}
