package dev.hcn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ItemIdIndexTest {

  @Test
  void mapsEveryIdToItsRowAndNothingElse() {
    Random random = new Random(7);
    int rows = 50_001;
    long[] ids = new long[rows];
    Map<Long, Integer> expected = new HashMap<>();
    ids[0] = -1;
    for (int row = 1; row < rows; row++) {
      long id;
      do {
        // Mix sequential, negative and huge ids: all must hash apart.
        id = row % 3 == 0 ? row : random.nextLong();
      } while (expected.containsKey(id));
      ids[row] = id;
      expected.put(id, row);
    }
    ItemIdIndex index = ItemIdIndex.of(ids);
    assertThat(index.size()).isEqualTo(rows - 1);
    expected.forEach((id, row) -> assertThat(index.row(id)).isEqualTo(row));
    for (int i = 0; i < 10_000; i++) {
      long probe = random.nextLong();
      if (!expected.containsKey(probe)) {
        assertThat(index.row(probe)).isEqualTo(ItemIdIndex.MISSING);
      }
    }
  }

  @Test
  void rowZeroIsPaddingNotAnItem() {
    ItemIdIndex index = ItemIdIndex.of(new long[] {-1, 10, 20});
    assertThat(index.row(-1)).isEqualTo(ItemIdIndex.MISSING);
    assertThat(index.row(10)).isEqualTo(1);
    assertThat(index.row(20)).isEqualTo(2);
  }

  @Test
  void emptyCatalogue() {
    ItemIdIndex index = ItemIdIndex.of(new long[] {-1});
    assertThat(index.size()).isZero();
    assertThat(index.row(0)).isEqualTo(ItemIdIndex.MISSING);
  }

  @Test
  void duplicateIdsAreRejectedNamingTheId() {
    assertThatThrownBy(() -> ItemIdIndex.of(new long[] {-1, 5, 6, 5}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item id 5")
        .hasMessageContaining("rows 1 and 3");
  }
}
