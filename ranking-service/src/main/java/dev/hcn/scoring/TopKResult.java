package dev.hcn.scoring;

/**
 * The exact top-k of one request, best first: score descending, ties by external item id ascending.
 *
 * @param rows item-matrix rows of the selected items; {@code length <= k}
 * @param scores the Eq. 8 score of each selected row
 * @param dominant for each selected row the index of the interest with the largest softmax weight
 *     (lowest index on ties); {@code null} unless explain was requested
 * @param weights for each selected row its n softmax weights over the interests (Eq. 8's alpha);
 *     {@code null} unless explain was requested
 */
public record TopKResult(int[] rows, float[] scores, int[] dominant, float[][] weights) {}
