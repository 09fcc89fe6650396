package dev.hcn.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class UserInputEncoderTest {

  // Items 100..109 at rows 1..10.
  private final ItemIdIndex index = ItemIdIndex.of(LongStream.rangeClosed(99, 109).toArray());
  private final UserInputEncoder encoder =
      new UserInputEncoder(
          index,
          4,
          2,
          List.of(
              new BundleManifest.UserFeature("gender", Map.of("F", 1, "M", 2)),
              new BundleManifest.UserFeature("age", Map.of("18", 1, "25", 2))));

  @Test
  void emptyHistoryIsAllPadding() {
    TowerInput in = encoder.encode(new long[0], Map.of());
    assertThat(in.longIds()).containsExactly(0, 0, 0, 0);
    assertThat(in.shortIds()).containsExactly(0, 0);
    assertThat(in.featureIds()).containsExactly(0, 0);
    assertThat(in.knownHistory()).isZero();
  }

  @Test
  void shortWindowHoldsTheMostRecentAndLongTheOnesBeforeLeftPadded() {
    TowerInput in = encoder.encode(new long[] {100, 101, 102, 103, 104}, Map.of());
    assertThat(in.shortIds()).containsExactly(4, 5);
    assertThat(in.longIds()).containsExactly(0, 1, 2, 3);
    assertThat(in.knownHistory()).isEqualTo(5);
  }

  @Test
  void fewerEventsThanTheShortWindowLeaveTheLongWindowEmpty() {
    TowerInput in = encoder.encode(new long[] {107}, Map.of());
    assertThat(in.shortIds()).containsExactly(0, 8);
    assertThat(in.longIds()).containsExactly(0, 0, 0, 0);
  }

  @Test
  void unknownItemsAreDroppedNotPadded() {
    TowerInput in = encoder.encode(new long[] {100, 999, 101, -5, 102}, Map.of());
    assertThat(in.shortIds()).containsExactly(2, 3);
    assertThat(in.longIds()).containsExactly(0, 0, 0, 1);
    assertThat(in.knownHistory()).isEqualTo(3);
  }

  @Test
  void historyLongerThanBothWindowsKeepsTheLatestEvents() {
    long[] history = LongStream.rangeClosed(100, 109).toArray(); // rows 1..10
    TowerInput in = encoder.encode(history, Map.of());
    assertThat(in.shortIds()).containsExactly(9, 10);
    assertThat(in.longIds()).containsExactly(5, 6, 7, 8);
    assertThat(in.knownHistory()).isEqualTo(6);
  }

  @Test
  void featuresMapToVocabularyIndicesWithZeroForMissingOrUnknown() {
    assertThat(encoder.encode(new long[0], Map.of("gender", "M", "age", "25")).featureIds())
        .containsExactly(2, 2);
    assertThat(encoder.encode(new long[0], Map.of("age", "18")).featureIds()).containsExactly(0, 1);
    Map<String, String> odd = new HashMap<>();
    odd.put("gender", "X");
    odd.put("unknown-feature", "1");
    odd.put("age", null);
    assertThat(encoder.encode(new long[0], odd).featureIds()).containsExactly(0, 0);
    assertThat(encoder.encode(new long[0], null).featureIds()).containsExactly(0, 0);
  }

  @Test
  void rowsAreAlwaysValid() {
    TowerInput in = encoder.encode(new long[] {Long.MIN_VALUE, 0, -1, 109, Long.MAX_VALUE}, null);
    assertThat(in.shortIds()).containsExactly(0, 10);
    assertThat(in.longIds()).containsOnly(0L);
  }
}
