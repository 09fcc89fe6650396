package dev.hcn.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Softmax#exp} against the correctly rounded exponential, and its edges. */
class SoftmaxTest {

  /** Distance in floats between two positive finite floats. */
  private static long ulps(float a, float b) {
    return Math.abs((long) Float.floatToIntBits(a) - Float.floatToIntBits(b));
  }

  @Test
  void expIsWithinTwoUlpsOnTheWholeRangeTheSoftmaxUses() {
    long worst = 0;
    float worstAt = 0f;
    Random rnd = new Random(5);
    for (int i = 0; i <= 4_000_000; i++) {
      // An even sweep of [-87, 0] and as many random points, which land between the sweep's.
      float x = i % 2 == 0 ? -87f * (i / 4_000_000f) : -87f * rnd.nextFloat();
      long d = ulps(Softmax.exp(x), (float) Math.exp(x));
      if (d > worst) {
        worst = d;
        worstAt = x;
      }
    }
    assertTrue(worst <= 2, "worst error " + worst + " ulp at x = " + worstAt);
  }

  @Test
  void expIsExactWhereTheSoftmaxDependsOnIt() {
    // The max's own weight: e^0 = 1 exactly, so a lone candidate's score is its dot product.
    assertEquals(1f, Softmax.exp(0f), 0f);
    assertEquals(1f, Softmax.exp(-0f), 0f);
    // Below e^-87 the weight is 0; at the cutoff it is still the normal float near e^-87.
    assertEquals(0f, Softmax.exp(Math.nextDown(Softmax.EXP_CUTOFF)), 0f);
    assertEquals(0f, Softmax.exp(-1e30f), 0f);
    assertEquals(0f, Softmax.exp(Float.NEGATIVE_INFINITY), 0f);
    float atCutoff = Softmax.exp(Softmax.EXP_CUTOFF);
    assertTrue(atCutoff >= Float.MIN_NORMAL, "e^-87 = " + atCutoff);
    assertTrue(ulps(atCutoff, (float) Math.exp(-87)) <= 2);
    // The smallest arguments keep the argument's first-order term: e^x = 1 + x near 0.
    assertEquals(1f - Math.ulp(1f), Softmax.exp(-Math.ulp(1f)), 0f);
    assertEquals(1f, Softmax.exp(-Float.MIN_VALUE), 0f);
  }

  @Test
  void expIsMonotoneAcrossTheRangeReductionsSteps() {
    // Around each multiple of ln 2 / 2 the reduction switches k; the result must not step back.
    for (int j = 0; j <= 252; j++) {
      float centre = (float) (-j * Math.log(2) / 2);
      float x = centre;
      float previous = Softmax.exp(x);
      for (int step = 0; step < 64 && x > Softmax.EXP_CUTOFF; step++) {
        x = Math.nextDown(x);
        float y = Softmax.exp(x);
        assertTrue(y <= previous, "exp not monotone at x = " + x);
        previous = y;
      }
    }
  }
}
