package dev.hcn.model;

/**
 * The user tower's three inputs for one user, as row indices and vocabulary indices.
 *
 * @param longIds L_long rows, left-padded with 0, most recent last
 * @param shortIds L_short rows, left-padded with 0, most recent last
 * @param featureIds one vocabulary index per manifest feature (0 = missing or unknown)
 * @param knownHistory known history events that reached the windows (at most L_long + L_short)
 */
public record TowerInput(long[] longIds, long[] shortIds, long[] featureIds, int knownHistory) {}
