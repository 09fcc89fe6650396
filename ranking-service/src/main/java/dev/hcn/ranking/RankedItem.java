package dev.hcn.ranking;

/**
 * One ranked candidate.
 *
 * @param itemId external item id
 * @param score HCN aggregation score (paper Eq. 8)
 * @param dominantInterest index of the interest with the largest softmax weight, or -1 when the
 *     request did not ask to explain
 * @param interestWeights the item's softmax weights over the n interests (Eq. 8's alpha, summing to
 *     1), or {@code null} when the request did not ask to explain
 * @param title the item's title from the bundle's item metadata when the request asked to explain,
 *     else {@code null}
 */
public record RankedItem(
    long itemId, float score, int dominantInterest, float[] interestWeights, String title) {

  /** An item without explanation. */
  public RankedItem(long itemId, float score) {
    this(itemId, score, -1, null, null);
  }
}
