package dev.hcn.scoring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Immutable item embeddings {@code [rows][dim]} plus the external id of each row. Row 0 is padding,
 * never a candidate.
 *
 * <p>The embeddings live in one heap {@code float[]} (row-major), which the Vector API reads with
 * {@code FloatVector.fromArray} without bounds-check surprises; 1M rows x 128 dims is 512 MB,
 * within one Java array. Every value is finite, and the largest magnitude is kept so that {@link
 * TopKScorer} can rule out float overflow in dot products before scoring.
 */
public final class ItemMatrix {

  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64_LE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final float[] data;
  private final long[] ids;
  private final int rows;
  private final int dim;
  private final float maxAbs;

  /** Built on first use by an int8-prefiltering scorer; never for the fp32-only path. */
  private volatile QuantizedItems quantized;

  /** Built on the first whole-catalogue request of a vector kernel; see {@link #laneBlocks}. */
  private volatile LaneBlocks laneBlocks;

  private record LaneBlocks(int lanes, float[] data) {}

  private ItemMatrix(float[] data, long[] ids, int rows, int dim) {
    this.data = data;
    this.ids = ids;
    this.rows = rows;
    this.dim = dim;
    this.maxAbs = maxAbsFinite(data, dim);
  }

  /**
   * Reads {@code items.f32} (little-endian float32, row-major) and {@code item_ids.i64}
   * (little-endian int64).
   *
   * @throws IOException naming the file when its size does not match {@code rows} and {@code dim},
   *     or when it cannot be read
   * @throws IllegalArgumentException when the shape is invalid or an embedding is not finite
   */
  public static ItemMatrix load(Path embeddingsF32, Path idsI64, int rows, int dim)
      throws IOException {
    int elements = checkShape(rows, dim);
    float[] data = new float[elements];
    long[] ids = new long[rows];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment emb = map(embeddingsF32, (long) elements * Float.BYTES, arena, rows, dim);
      MemorySegment.copy(emb, F32_LE, 0, data, 0, elements);
      MemorySegment idSeg = map(idsI64, (long) rows * Long.BYTES, arena, rows, dim);
      MemorySegment.copy(idSeg, I64_LE, 0, ids, 0, rows);
    }
    return new ItemMatrix(data, ids, rows, dim);
  }

  /** Copies the given row-major embeddings and ids. */
  public static ItemMatrix of(float[] rowMajor, long[] ids, int rows, int dim) {
    int elements = checkShape(rows, dim);
    if (rowMajor.length != elements || ids.length != rows) {
      throw new IllegalArgumentException(
          "expected %d floats and %d ids for %d rows x %d dims, got %d and %d"
              .formatted(elements, rows, rows, dim, rowMajor.length, ids.length));
    }
    return new ItemMatrix(rowMajor.clone(), ids.clone(), rows, dim);
  }

  public int rows() {
    return rows;
  }

  public int dim() {
    return dim;
  }

  public long id(int row) {
    return ids[row];
  }

  /** A copy of one row's embedding. */
  public float[] row(int row) {
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row " + row + " outside 0.." + (rows - 1));
    }
    return java.util.Arrays.copyOfRange(data, row * dim, (row + 1) * dim);
  }

  /** The backing row-major array; kernels read it and must never write it. */
  float[] data() {
    return data;
  }

  /**
   * The int8 copy of these rows, quantised once on first call (racing callers build equal ones).
   */
  public QuantizedItems quantized() {
    QuantizedItems q = quantized;
    if (q == null) {
      q = QuantizedItems.of(this);
      quantized = q;
    }
    return q;
  }

  /**
   * The catalogue (rows 1 .. rows - 1) transposed in blocks of {@code lanes} candidates, built once
   * on first call: candidate i (row i + 1), dimension d is at {@code [(i / lanes) * dim * lanes + d
   * * lanes + i % lanes]}, and the slots past the last candidate are zero. One vector load then
   * reads dimension d of a whole block of candidates, so a kernel that puts candidates across lanes
   * needs no gather. It costs a second copy of the embeddings, so only whole-catalogue scoring
   * builds it.
   */
  float[] laneBlocks(int lanes) {
    LaneBlocks blocks = laneBlocks;
    if (blocks == null || blocks.lanes() != lanes) {
      // The split threads of the first whole-catalogue request all ask at once: one builds.
      synchronized (this) {
        blocks = laneBlocks;
        if (blocks == null || blocks.lanes() != lanes) {
          blocks = new LaneBlocks(lanes, transpose(lanes));
          laneBlocks = blocks;
        }
      }
    }
    return blocks.data();
  }

  private float[] transpose(int lanes) {
    int candidates = rows - 1;
    int blocks = (candidates + lanes - 1) / lanes;
    float[] t = new float[Math.multiplyExact(blocks * lanes, dim)];
    for (int i = 0; i < candidates; i++) {
      int base = i / lanes * dim * lanes + i % lanes;
      int src = (i + 1) * dim;
      for (int d = 0; d < dim; d++) {
        t[base + d * lanes] = data[src + d];
      }
    }
    return t;
  }

  /** Largest absolute embedding value. */
  float maxAbs() {
    return maxAbs;
  }

  private static MemorySegment map(Path file, long expectedBytes, Arena arena, int rows, int dim)
      throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size != expectedBytes) {
        throw new IOException(
            "%s has %d bytes but %d rows x %d dims need %d bytes"
                .formatted(file, size, rows, dim, expectedBytes));
      }
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
    }
  }

  private static int checkShape(int rows, int dim) {
    if (rows < 1 || dim < 1) {
      throw new IllegalArgumentException(
          "rows and dim must be positive, got %d x %d".formatted(rows, dim));
    }
    long elements = (long) rows * dim;
    if (elements > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "%d rows x %d dims exceed one float array".formatted(rows, dim));
    }
    return (int) elements;
  }

  private static float maxAbsFinite(float[] data, int dim) {
    float max = 0f;
    for (int i = 0; i < data.length; i++) {
      float a = Math.abs(data[i]);
      if (!(a <= Float.MAX_VALUE)) {
        throw new IllegalArgumentException(
            "embedding value %s at row %d is not finite".formatted(data[i], i / dim));
      }
      max = Math.max(max, a);
    }
    return max;
  }
}
