package dev.hcn.history;

import java.util.function.IntSupplier;

/**
 * Events kept and read per user: {@code hcn.history.length}, or L_long + L_short of the serving
 * bundle when that is 0.
 */
public record HistoryLength(IntSupplier supplier) {

  public int get() {
    return supplier.getAsInt();
  }
}
