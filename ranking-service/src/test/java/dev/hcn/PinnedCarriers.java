package dev.hcn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every carrier of the virtual-thread scheduler held by a spinning virtual thread, as CPU-bound
 * ranking holds them: what a virtual thread started meanwhile must wait for. Spinners give up after
 * 20 s, so a failing test cannot hang the build.
 */
public final class PinnedCarriers implements AutoCloseable {

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger finished = new AtomicInteger();
  private final List<Thread> spinners = new ArrayList<>();

  private PinnedCarriers() {}

  /** Pins every carrier and returns once all of them spin. */
  public static PinnedCarriers pinAll() throws InterruptedException {
    int carriers =
        Integer.getInteger(
            "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    var pinned = new PinnedCarriers();
    var spinning = new CountDownLatch(carriers);
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (int i = 0; i < carriers; i++) {
      pinned.spinners.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    spinning.countDown();
                    while (!pinned.stop.get() && System.nanoTime() < giveUp) {
                      Thread.onSpinWait();
                    }
                    pinned.finished.incrementAndGet();
                  }));
    }
    if (!spinning.await(10, TimeUnit.SECONDS)) {
      pinned.close();
      throw new IllegalStateException("not every carrier could be taken");
    }
    return pinned;
  }

  /** Whether every spinner still holds its carrier. */
  public boolean holding() {
    return finished.get() == 0;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : spinners) {
      t.join();
    }
  }
}
