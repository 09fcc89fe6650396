package dev.hcn.ranking;

/**
 * One ranked candidate.
 *
 * @param itemId external item id
 * @param score HCN aggregation score (paper Eq. 8)
 * @param dominantInterest index of the interest with the largest softmax weight, or -1 when the
 *     request did not ask to explain
 */
public record RankedItem(long itemId, float score, int dominantInterest) {}
