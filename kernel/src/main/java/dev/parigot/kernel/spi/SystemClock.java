package dev.parigot.kernel.spi;

import java.lang.System.Logger.Level;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * {@link Clock#system}. The threads' CPU clock is read through the C library, because the JDK's own
 * (ThreadMXBean) answers -1 on virtual threads, which run every process.
 */
final class SystemClock implements Clock {
  static final Clock INSTANCE = new SystemClock();

  // Linux's clockid_t for the calling thread's CPU time.
  private static final int CLOCK_THREAD_CPUTIME_ID = 3;

  /** Linked on first use: only a process with a CPU time limit reads the clock. */
  private static final class Native {
    static final Optional<MethodHandle> CLOCK_GETTIME = clockGettime();
  }

  private SystemClock() {}

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long threadCpuNanos() {
    if (Native.CLOCK_GETTIME.isEmpty()) {
      return System.nanoTime();
    }
    // struct timespec: seconds, then nanoseconds, both 64-bit on the 64-bit ABIs we run on.
    long[] timespec = new long[2];
    try {
      int rc =
          (int)
              Native.CLOCK_GETTIME
                  .get()
                  .invokeExact(CLOCK_THREAD_CPUTIME_ID, MemorySegment.ofArray(timespec));
      if (rc != 0) {
        return System.nanoTime();
      }
    } catch (Throwable t) {
      return System.nanoTime();
    }
    return timespec[0] * 1_000_000_000L + timespec[1];
  }

  private static Optional<MethodHandle> clockGettime() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux") || ValueLayout.ADDRESS.byteSize() != 8) {
      return Optional.empty();
    }
    try {
      Linker linker = Linker.nativeLinker();
      return linker
          .defaultLookup()
          .find("clock_gettime")
          .map(f ->
              linker.downcallHandle(
                  f,
                  FunctionDescriptor.of(
                      ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
                  // A short call that never blocks; critical lets it write into a Java array.
                  Linker.Option.critical(true)));
    } catch (RuntimeException e) {
      // Native access denied (--illegal-native-access=deny) or no such linker.
      System.getLogger("dev.parigot.kernel")
          .log(
              Level.DEBUG, "no thread CPU clock, CPU time counted as wall time: {0}", e.toString());
      return Optional.empty();
    }
  }
}
