package dev.hcn.scoring;

import jdk.incubator.vector.FloatVector;

/** Prints the vector width the kernel runs at in this JVM, for benchmark reports. */
final class PreferredSpecies {
  private PreferredSpecies() {}

  public static void main(String[] args) {
    System.out.println(
        VectorScoringKernel.SPECIES + " (preferred " + FloatVector.SPECIES_PREFERRED + ")");
  }
}
