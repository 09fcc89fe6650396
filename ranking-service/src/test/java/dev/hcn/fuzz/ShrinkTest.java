package dev.hcn.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ShrinkTest {

  @Test
  void aSizeLimitShrinksToOneElementOverIt() {
    List<Integer> input = range(5000);
    List<Integer> shrunk = Shrink.list(input, l -> l.size() > 1234, 100);
    assertThat(shrunk).hasSize(1235);
  }

  @Test
  void twoCulpritsFarApartShrinkToExactlyThem() {
    List<Integer> input = range(2000);
    List<Integer> shrunk = Shrink.list(input, l -> l.contains(17) && l.contains(1900), 500);
    assertThat(shrunk).containsExactly(17, 1900);
  }

  @Test
  void theResultIsAnOrderedSubsequenceThatStillFails() {
    var r = new SplittableRandom(7);
    for (int round = 0; round < 200; round++) {
      List<Integer> input = new ArrayList<>();
      for (int n = r.nextInt(300); n > 0; n--) {
        input.add(r.nextInt(50));
      }
      int needle = r.nextInt(50);
      int times = 1 + r.nextInt(3);
      Predicate<List<Integer>> fails = l -> l.stream().filter(x -> x == needle).count() >= times;
      List<Integer> shrunk = Shrink.list(input, fails, 1 + r.nextInt(400));
      assertThat(isSubsequence(shrunk, input)).as("round %d", round).isTrue();
      assertThat(fails.test(shrunk)).isEqualTo(fails.test(input));
      if (!fails.test(input)) {
        assertThat(shrunk).isSameAs(input);
      }
    }
  }

  @Test
  void aPassingInputIsReturnedAsItIsAfterOneTry() {
    var tries = new AtomicInteger();
    List<Integer> input = range(100);
    List<Integer> shrunk =
        Shrink.list(
            input,
            l -> {
              tries.incrementAndGet();
              return false;
            },
            50);
    assertThat(shrunk).isSameAs(input);
    assertThat(tries).hasValue(1);
  }

  @Test
  void neverTriesMoreThanTheBudget() {
    for (int budget : new int[] {1, 2, 3, 10, 57}) {
      var tries = new AtomicInteger();
      List<Integer> shrunk =
          Shrink.list(
              range(10_000),
              l -> {
                tries.incrementAndGet();
                return l.contains(4999) && l.contains(5001);
              },
              budget);
      assertThat(tries.get()).as("budget %d", budget).isLessThanOrEqualTo(budget);
      assertThat(shrunk).contains(4999, 5001);
    }
  }

  @Test
  void bytesShrinkToTheOffendingByte() {
    byte[] input =
        ("{\"userId\": \"42\", \"k\": 5, \"x\": \"" + "a".repeat(3000) + "\u0001\"}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] shrunk =
        Shrink.bytes(input, b -> new String(b, StandardCharsets.UTF_8).contains("\u0001"), 400);
    assertThat(shrunk).containsExactly(1);
    assertThat(Shrink.show(shrunk, 10)).isEqualTo("\\x01");
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  private static boolean isSubsequence(List<Integer> sub, List<Integer> of) {
    int at = 0;
    for (Integer x : of) {
      if (at < sub.size() && sub.get(at).equals(x)) {
        at++;
      }
    }
    return at == sub.size();
  }
}
