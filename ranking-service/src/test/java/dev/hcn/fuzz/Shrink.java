package dev.hcn.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Shrinking for the fuzz tests: given an input that fails and a way to try another, finds a smaller
 * input that still fails, so that a report names what causes the failure rather than 300 KB of
 * generated noise.
 *
 * <p>Invariants, for every method here: the result is a subsequence of the input (elements only
 * removed, never changed or reordered); the result fails whenever the input did; an input that does
 * not fail is returned unchanged; at most {@code budget} tries are made. Two passes, in order:
 *
 * <ol>
 *   <li>the shortest failing prefix, by bisection (few tries, and exact when failing is monotone in
 *       the length, as for a size limit);
 *   <li>delta debugging (Zeller's ddmin): remove ever smaller chunks while the rest still fails,
 *       down to single elements if the budget allows.
 * </ol>
 */
public final class Shrink {

  private Shrink() {}

  /** The smaller list that still fails; see the class invariants. */
  public static <T> List<T> list(List<T> input, Predicate<List<T>> fails, int budget) {
    var tries = new Tries<>(fails, budget);
    if (!tries.fails(input)) {
      return input;
    }
    List<T> best = shortestPrefix(input, tries);
    return ddmin(best, tries);
  }

  /** {@link #list} over the bytes of {@code input}. */
  public static byte[] bytes(byte[] input, Predicate<byte[]> fails, int budget) {
    List<Byte> boxed = new ArrayList<>(input.length);
    for (byte b : input) {
      boxed.add(b);
    }
    List<Byte> shrunk = list(boxed, l -> fails.test(unbox(l)), budget);
    return shrunk == boxed ? input : unbox(shrunk);
  }

  private static byte[] unbox(List<Byte> bytes) {
    byte[] out = new byte[bytes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get(i);
    }
    return out;
  }

  /** Bisection over prefix lengths; keeps the shortest prefix seen to fail. */
  private static <T> List<T> shortestPrefix(List<T> input, Tries<T> tries) {
    int passes = -1; // the longest prefix length known (or assumed, for 0 - 1) to pass
    int failsAt = input.size();
    while (failsAt - passes > 1 && tries.left()) {
      int mid = passes + (failsAt - passes) / 2;
      if (tries.fails(input.subList(0, mid))) {
        failsAt = mid;
      } else {
        passes = mid;
      }
    }
    return List.copyOf(input.subList(0, failsAt));
  }

  private static <T> List<T> ddmin(List<T> input, Tries<T> tries) {
    List<T> current = input;
    int chunks = 2;
    while (current.size() >= 2 && tries.left()) {
      int size = current.size();
      chunks = Math.min(chunks, size);
      boolean removed = false;
      for (int c = 0; c < chunks && tries.left(); c++) {
        int from = c * size / chunks;
        int to = (c + 1) * size / chunks;
        List<T> rest = new ArrayList<>(size - (to - from));
        rest.addAll(current.subList(0, from));
        rest.addAll(current.subList(to, size));
        if (tries.fails(rest)) {
          current = rest;
          chunks = Math.max(chunks - 1, 2);
          removed = true;
          break;
        }
      }
      if (!removed) {
        if (chunks == size) {
          break; // no single element can go: 1-minimal
        }
        chunks = Math.min(chunks * 2, size);
      }
    }
    return current;
  }

  /** Counts tries against the budget. */
  private static final class Tries<T> {
    private final Predicate<List<T>> fails;
    private int left;

    Tries(Predicate<List<T>> fails, int budget) {
      this.fails = fails;
      this.left = budget;
    }

    boolean left() {
      return left > 0;
    }

    boolean fails(List<T> candidate) {
      if (left <= 0) {
        return false;
      }
      left--;
      return fails.test(candidate);
    }
  }

  /** The first {@code max} bytes as text a report can show: printable ASCII, the rest escaped. */
  public static String show(byte[] bytes, int max) {
    StringBuilder s = new StringBuilder();
    for (byte b : Arrays.copyOf(bytes, Math.min(bytes.length, max))) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return bytes.length > max ? s + "... (" + bytes.length + " bytes)" : s.toString();
  }
}
