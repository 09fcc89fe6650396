package dev.hcn.api.admin;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Bytes the C allocator has handed out and not had back, from glibc's {@code mallinfo2()}: the
 * native memory that ONNX Runtime sessions live in. Unlike RSS it does not count freed memory that
 * the allocator keeps for reuse, so a leaked session shows as its own size instead of drowning in
 * the allocator's retention (tens of MB either way in one JVM).
 */
final class NativeHeap {

  /** glibc's {@code struct mallinfo2}: ten {@code size_t} fields. */
  private static final MemoryLayout MALLINFO2 =
      MemoryLayout.structLayout(MemoryLayout.sequenceLayout(10, ValueLayout.JAVA_LONG));

  private static final int HBLKHD = 4; // bytes in mmap'd blocks (large allocations)
  private static final int UORDBLKS = 7; // bytes in use in the arenas

  private static final Optional<MethodHandle> MALLINFO =
      Linker.nativeLinker()
          .defaultLookup()
          .find("mallinfo2")
          .map(
              symbol ->
                  Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(MALLINFO2)));

  private NativeHeap() {}

  /** Whether the C library reports its heap (glibc 2.33 or later). */
  static boolean available() {
    return MALLINFO.isPresent();
  }

  /** Bytes allocated through malloc and not yet freed, over every arena. */
  static long inUseBytes() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info =
          (MemorySegment) MALLINFO.orElseThrow().invokeExact((SegmentAllocator) arena);
      return info.getAtIndex(ValueLayout.JAVA_LONG, UORDBLKS)
          + info.getAtIndex(ValueLayout.JAVA_LONG, HBLKHD);
    } catch (Throwable e) {
      throw new IllegalStateException("mallinfo2 failed", e);
    }
  }
}
