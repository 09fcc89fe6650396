package dev.hcn.history;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What history needs to know of the model bundle that serves now. The ranking layer, which sees
 * both history and model, supplies it, so that history and model stay siblings that never use each
 * other.
 */
public interface ServingBundleView {

  /** L_long + L_short of the serving bundle; empty while no bundle serves. */
  OptionalInt historyLength();

  /** The serving bundle's demo histories; empty while no bundle serves. */
  Optional<DemoHistories> demoHistories();

  /**
   * A bundle's demo histories file, already sha256-checked when the bundle loaded.
   *
   * @param bundle the bundle the file belongs to, compared by identity only: a newly installed
   *     bundle is read afresh even when it was loaded from the same directory
   */
  record DemoHistories(Object bundle, Path file) {}
}
