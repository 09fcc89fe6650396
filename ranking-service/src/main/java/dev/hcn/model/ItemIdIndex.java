package dev.hcn.model;

/**
 * External item id to matrix row, as an open-addressing table of two primitive arrays: about 12
 * bytes per slot instead of ~80 per entry of a boxed {@code HashMap<Long, Integer>}, which matters
 * for catalogues of millions of items. Immutable after construction.
 */
public final class ItemIdIndex {

  /** Returned by {@link #row(long)} for an id that is not in the catalogue. */
  public static final int MISSING = -1;

  private final long[] keys;
  // Row + 1 so that the zero-filled array means "empty slot" without a separate marker.
  private final int[] rowsPlusOne;
  private final int mask;
  private final int size;

  private ItemIdIndex(long[] keys, int[] rowsPlusOne, int size) {
    this.keys = keys;
    this.rowsPlusOne = rowsPlusOne;
    this.mask = keys.length - 1;
    this.size = size;
  }

  /**
   * Indexes rows {@code 1..ids.length-1} (row 0 is padding).
   *
   * @throws IllegalArgumentException naming the id when two rows share it
   */
  public static ItemIdIndex of(long[] ids) {
    int n = Math.max(ids.length - 1, 0);
    // Load factor <= 0.5 keeps probe chains short.
    int capacity = Integer.highestOneBit(Math.max(4, n * 2 - 1)) << 1;
    long[] keys = new long[capacity];
    int[] rows = new int[capacity];
    int mask = capacity - 1;
    for (int row = 1; row < ids.length; row++) {
      long id = ids[row];
      int slot = mix(id) & mask;
      while (rows[slot] != 0) {
        if (keys[slot] == id) {
          throw new IllegalArgumentException(
              "item id " + id + " appears at rows " + (rows[slot] - 1) + " and " + row);
        }
        slot = (slot + 1) & mask;
      }
      keys[slot] = id;
      rows[slot] = row + 1;
    }
    return new ItemIdIndex(keys, rows, n);
  }

  /** The row of an external id, or {@link #MISSING}. */
  public int row(long id) {
    int slot = mix(id) & mask;
    int value;
    while ((value = rowsPlusOne[slot]) != 0) {
      if (keys[slot] == id) {
        return value - 1;
      }
      slot = (slot + 1) & mask;
    }
    return MISSING;
  }

  /** Number of indexed items. */
  public int size() {
    return size;
  }

  private static int mix(long id) {
    // Murmur3 finaliser: sequential ids must not cluster in neighbouring slots.
    long h = id;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }
}
