package dev.hcn.model;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands freed native memory back to the operating system after a bundle's ONNX session closes.
 * glibc keeps freed blocks in its per-thread arenas, so without {@code malloc_trim} a process that
 * swaps models grows by roughly one session's peak per swap even though nothing leaks. Where the C
 * library has no {@code malloc_trim} (musl, macOS) this does nothing.
 */
final class NativeHeap {

  private static final Logger log = LoggerFactory.getLogger(NativeHeap.class);
  private static final Optional<MethodHandle> MALLOC_TRIM = find();

  private NativeHeap() {}

  /** Releases free memory at the top of every malloc arena; returns whether anything was freed. */
  static boolean trim() {
    if (MALLOC_TRIM.isEmpty()) {
      return false;
    }
    try {
      return (int) MALLOC_TRIM.get().invokeExact(0L) != 0;
    } catch (Throwable e) {
      log.debug("malloc_trim failed", e);
      return false;
    }
  }

  private static Optional<MethodHandle> find() {
    try {
      Linker linker = Linker.nativeLinker();
      return linker
          .defaultLookup()
          .find("malloc_trim")
          .map(
              address ->
                  linker.downcallHandle(
                      address, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)));
    } catch (RuntimeException | LinkageError e) {
      log.debug("malloc_trim is not available", e);
      return Optional.empty();
    }
  }
}
