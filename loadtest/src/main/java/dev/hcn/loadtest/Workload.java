package dev.hcn.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What each request asks for: its user (from the mix) and its candidate list (one of a few lists
 * drawn up front from the bundle's catalogue, so that drawing costs the generator nothing while it
 * sends), or the whole catalogue.
 */
final class Workload {

  private final List<String> users;
  private final boolean distinct;
  private final String distinctPrefix;
  private final AtomicLong next = new AtomicLong();
  private final long[][] candidateSets;

  Workload(List<String> users, boolean distinct, long[][] candidateSets) {
    this.users = users;
    this.distinct = distinct;
    this.distinctPrefix = "hcn-load-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    this.candidateSets = candidateSets;
  }

  static Workload of(LoadOptions o) throws IOException {
    long[][] sets = null;
    if (o.candidates() > 0) {
      long[] catalogue = catalogue(o.bundle());
      sets = draw(catalogue, o.candidates(), o.candidateSets(), o.seed());
    }
    return new Workload(o.users(), o.distinctUsers(), sets);
  }

  /** The user of request {@code seq}. */
  String user(long seq) {
    return distinct
        ? distinctPrefix + next.getAndIncrement()
        : users.get((int) (seq % users.size()));
  }

  /** How many candidate lists there are; 0 in whole-catalogue mode. */
  int setCount() {
    return candidateSets == null ? 0 : candidateSets.length;
  }

  long[] candidateSet(int i) {
    return candidateSets[i];
  }

  /** Index of the candidate list of request {@code seq}, or -1 for the whole catalogue. */
  int setOf(long seq) {
    return candidateSets == null ? -1 : (int) (seq % candidateSets.length);
  }

  /** The external ids of {@code item_ids.i64} (little-endian int64), without padding row 0. */
  static long[] catalogue(Path bundle) throws IOException {
    Path file = bundle.resolve("item_ids.i64");
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + " not found: --bundle must be a model bundle folder");
    }
    try (FileChannel ch = FileChannel.open(file)) {
      long size = ch.size();
      if (size % Long.BYTES != 0 || size < 2 * Long.BYTES) {
        throw new IOException(file + " has " + size + " bytes, not a list of int64 ids");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // read fully
      }
      buf.flip();
      long[] ids = new long[(int) (size / Long.BYTES) - 1];
      buf.getLong(); // row 0 is padding, never a candidate
      buf.asLongBuffer().get(ids);
      return ids;
    }
  }

  /** {@code sets} lists of {@code n} distinct ids each, in random order (partial shuffles). */
  static long[][] draw(long[] catalogue, int n, int sets, long seed) throws IOException {
    if (n > catalogue.length) {
      throw new IOException(
          "--candidates " + n + " is more than the catalogue's " + catalogue.length + " items");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] pool = catalogue.clone();
    long[][] out = new long[sets][];
    for (int s = 0; s < sets; s++) {
      for (int i = 0; i < n; i++) {
        int j = i + rnd.nextInt(pool.length - i);
        long t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      out[s] = java.util.Arrays.copyOf(pool, n);
    }
    return out;
  }
}
