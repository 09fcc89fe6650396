package dev.hcn.scoring;

/**
 * Bounded min-heap holding the best {@code capacity} candidates seen so far; its root is the worst
 * of them. The order is total: higher score first, then smaller external id, then smaller row, so
 * the kept set and its order never depend on the order candidates arrive in.
 */
final class TopKHeap {
  private final ItemMatrix items;
  private final int capacity;
  private final float[] scores;
  private final long[] ids;
  private final int[] rows;
  private int size;

  TopKHeap(ItemMatrix items, int capacity) {
    this.items = items;
    this.capacity = capacity;
    this.scores = new float[capacity];
    this.ids = new long[capacity];
    this.rows = new int[capacity];
  }

  boolean isFull() {
    return size == capacity;
  }

  /**
   * A candidate whose score is below this can never enter; one equal to it still may (smaller id).
   */
  float floor() {
    return size == capacity ? scores[0] : Float.NEGATIVE_INFINITY;
  }

  void offer(int row, float score) {
    long id = items.id(row);
    if (size < capacity) {
      int i = size++;
      set(i, score, id, row);
      siftUp(i);
    } else if (capacity > 0 && worse(scores[0], ids[0], rows[0], score, id, row)) {
      set(0, score, id, row);
      siftDown(0);
    }
  }

  /** Offers every entry of another heap. */
  void addAll(TopKHeap other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.rows[i], other.scores[i]);
    }
  }

  /** Empties the heap into arrays ordered best first. */
  TopKResult drainBestFirst() {
    int n = size;
    int[] outRows = new int[n];
    float[] outScores = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      outRows[i] = rows[0];
      outScores[i] = scores[0];
      size--;
      if (size > 0) {
        set(0, scores[size], ids[size], rows[size]);
        siftDown(0);
      }
    }
    return new TopKResult(outRows, outScores, null, null);
  }

  /** Whether (s1, id1, r1) ranks below (s2, id2, r2). */
  private static boolean worse(float s1, long id1, int r1, float s2, long id2, int r2) {
    if (s1 != s2) {
      return s1 < s2;
    }
    if (id1 != id2) {
      return id1 > id2;
    }
    return r1 > r2;
  }

  private boolean worse(int a, int b) {
    return worse(scores[a], ids[a], rows[a], scores[b], ids[b], rows[b]);
  }

  private void set(int i, float score, long id, int row) {
    scores[i] = score;
    ids[i] = id;
    rows[i] = row;
  }

  private void swap(int a, int b) {
    float s = scores[a];
    long id = ids[a];
    int r = rows[a];
    set(a, scores[b], ids[b], rows[b]);
    set(b, s, id, r);
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(i, parent)) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int worst = l + 1 < size && worse(l + 1, l) ? l + 1 : l;
      if (!worse(worst, i)) {
        return;
      }
      swap(i, worst);
      i = worst;
    }
  }
}
