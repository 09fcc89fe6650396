package dev.hcn.interests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Pca2Test {

  /** Points spread 10:3:0.1 along axes rotated in 3-D: the components recover the two big axes. */
  @Test
  void recoversTheTwoLargestAxesAndTheirVarianceShares() {
    Random rnd = new Random(3);
    double[] a = unit(new double[] {1, 2, 2});
    double[] b = unit(new double[] {2, 1, -2});
    double[] c = unit(new double[] {2, -2, 1});
    float[][] points = new float[4000][3];
    double[][] truth = new double[points.length][];
    for (int i = 0; i < points.length; i++) {
      double x = rnd.nextGaussian() * 10;
      double y = rnd.nextGaussian() * 3;
      double z = rnd.nextGaussian() * 0.1;
      for (int d = 0; d < 3; d++) {
        points[i][d] = (float) (5 + x * a[d] + y * b[d] + z * c[d]);
      }
      truth[i] = new double[] {x, y};
    }
    Pca2 pca = Pca2.fit(points);
    double[] explained = pca.explainedVariance();
    assertThat(explained[0]).isCloseTo(100.0 / 109.01, within(0.02));
    assertThat(explained[1]).isCloseTo(9.0 / 109.01, within(0.01));
    // Projections equal the generating coordinates up to each axis' sign.
    double dotX = 0;
    double dotY = 0;
    for (int i = 0; i < points.length; i++) {
      float[] p = pca.project(points[i]);
      dotX += p[0] * truth[i][0];
      dotY += p[1] * truth[i][1];
    }
    double corrX = Math.abs(dotX) / (points.length * 100.0);
    double corrY = Math.abs(dotY) / (points.length * 9.0);
    assertThat(corrX).isCloseTo(1.0, within(0.05));
    assertThat(corrY).isCloseTo(1.0, within(0.05));
  }

  @Test
  void isDeterministicAndCentred() {
    Random rnd = new Random(5);
    float[][] points = new float[300][12];
    for (float[] p : points) {
      for (int d = 0; d < p.length; d++) {
        p[d] = (float) rnd.nextGaussian() * (d + 1);
      }
    }
    Pca2 one = Pca2.fit(points);
    Pca2 two = Pca2.fit(points);
    double sumX = 0;
    double sumY = 0;
    for (float[] p : points) {
      assertThat(one.project(p)).containsExactly(two.project(p));
      sumX += one.project(p)[0];
      sumY += one.project(p)[1];
    }
    assertThat(sumX / points.length).isCloseTo(0, within(1e-3));
    assertThat(sumY / points.length).isCloseTo(0, within(1e-3));
  }

  @Test
  void identicalPointsProjectToTheOrigin() {
    float[][] points = {{1, 2, 3}, {1, 2, 3}};
    Pca2 pca = Pca2.fit(points);
    assertThat(pca.project(new float[] {1, 2, 3})).containsExactly(0f, 0f);
    assertThat(pca.explainedVariance()).containsExactly(0, 0);
  }

  private static double[] unit(double[] v) {
    double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    return new double[] {v[0] / n, v[1] / n, v[2] / n};
  }
}
