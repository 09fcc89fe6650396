package dev.hcn.fuzz;

import java.util.SplittableRandom;

/**
 * Seeded generation for the fuzz tests: case {@code i} draws from its own generator derived from
 * the run's seed, so a failure names the seed and case that reproduce it alone. {@code
 * -Dhcn.fuzz.cases=N} sets how many cases each test sends (10,000 by default), {@code
 * -Dhcn.fuzz.seed=S} the seed.
 */
public final class FuzzCases {

  /** Fixed, so that every build sends the same requests. */
  public static final long DEFAULT_SEED = 0x5eed_1234_abcdL;

  private FuzzCases() {}

  public static int cases() {
    return Integer.getInteger("hcn.fuzz.cases", 10_000);
  }

  public static long seed() {
    return Long.getLong("hcn.fuzz.seed", DEFAULT_SEED);
  }

  /** The generator of case {@code i}. */
  public static SplittableRandom random(long seed, int i) {
    return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (i + 1)));
  }

  /** How a failure names its case. */
  public static String name(long seed, int i) {
    return "case " + i + " of seed " + seed + " (rerun: -Dhcn.fuzz.seed=" + seed + ")";
  }

  public static <T> T pick(SplittableRandom r, T[] values) {
    return values[r.nextInt(values.length)];
  }

  /** Mostly small, sometimes at the edges of int64. */
  public static long number(SplittableRandom r) {
    return switch (r.nextInt(8)) {
      case 0 -> Long.MAX_VALUE - r.nextInt(3);
      case 1 -> Long.MIN_VALUE + r.nextInt(3);
      case 2 -> -r.nextInt(1000);
      case 3 -> r.nextLong();
      case 4 -> r.nextInt(Integer.MAX_VALUE);
      default -> r.nextInt(4000);
    };
  }

  /** Text of any kind: ASCII, control characters, CR/LF, quotes, non-BMP, lone surrogates. */
  public static String text(SplittableRandom r, int maxLength) {
    int n = r.nextInt(maxLength + 1);
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(10)) {
        case 0 -> s.append((char) r.nextInt(0x20));
        case 1 ->
            s.append(pick(r, new String[] {"\r\n", "\"", "\\", "%", "/", "{", "}", "\u2028"}));
        case 2 -> s.appendCodePoint(0x1F600 + r.nextInt(50));
        case 3 -> s.append((char) (0xD800 + r.nextInt(0x800)));
        case 4 -> s.append((char) r.nextInt(0x20, 0xFFFF));
        default -> s.append((char) r.nextInt(0x20, 0x7F));
      }
    }
    return s.toString();
  }
}
