package dev.hcn.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemMatrixTest {

  @TempDir Path dir;

  @Test
  void loadsLittleEndianFiles() throws IOException {
    float[] data = {0, 0, 0, 1.5f, -2.25f, 3e-8f, 7, 8, 9};
    long[] ids = {-1, 1L << 40, 42};
    Path emb = writeFloats(dir.resolve("items.f32"), data);
    Path idf = writeLongs(dir.resolve("item_ids.i64"), ids);
    ItemMatrix m = ItemMatrix.load(emb, idf, 3, 3);
    assertEquals(3, m.rows());
    assertEquals(3, m.dim());
    assertEquals(1L << 40, m.id(1));
    assertEquals(42, m.id(2));
    assertEquals(-2.25f, m.data()[4]);
    assertEquals(3e-8f, m.data()[5]);
    assertEquals(9f, m.maxAbs());
  }

  @Test
  void rejectsEmbeddingFileOfWrongSizeNamingIt() throws IOException {
    Path emb = writeFloats(dir.resolve("items.f32"), new float[8]);
    Path idf = writeLongs(dir.resolve("item_ids.i64"), new long[3]);
    IOException e = assertThrows(IOException.class, () -> ItemMatrix.load(emb, idf, 3, 3));
    assertTrue(e.getMessage().contains(emb.toString()), e.getMessage());
  }

  @Test
  void rejectsIdFileOfWrongSizeNamingIt() throws IOException {
    Path emb = writeFloats(dir.resolve("items.f32"), new float[9]);
    Path idf = writeLongs(dir.resolve("item_ids.i64"), new long[4]);
    IOException e = assertThrows(IOException.class, () -> ItemMatrix.load(emb, idf, 3, 3));
    assertTrue(e.getMessage().contains(idf.toString()), e.getMessage());
  }

  @Test
  void rejectsNonFiniteEmbeddingsAndBadShapes() {
    float[] data = {0, 0, 1, Float.NaN};
    assertThrows(IllegalArgumentException.class, () -> ItemMatrix.of(data, new long[2], 2, 2));
    assertThrows(
        IllegalArgumentException.class, () -> ItemMatrix.of(new float[4], new long[3], 2, 2));
    assertThrows(
        IllegalArgumentException.class, () -> ItemMatrix.of(new float[0], new long[0], 0, 2));
  }

  @Test
  void ofCopiesItsInput() {
    float[] data = {0, 0, 1, 2};
    ItemMatrix m = ItemMatrix.of(data, new long[] {-1, 5}, 2, 2);
    data[2] = 100;
    assertEquals(1f, m.data()[2]);
  }

  private static Path writeFloats(Path p, float[] v) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return Files.write(p, b.array());
  }

  private static Path writeLongs(Path p, long[] v) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(v);
    return Files.write(p, b.array());
  }
}
