package dev.parigot.kernel.spi;

/**
 * The kernel's time: call deadlines, wait time-outs, CPU slices and CPU time limits are measured
 * with it. Tests inject one they advance by hand, so that a deadline test drives time instead of
 * sleeping.
 */
@FunctionalInterface
public interface Clock {
  /**
   * The current time in nanoseconds, from an arbitrary origin, as {@link System#nanoTime}: only
   * differences mean anything. Never goes backwards. Any thread.
   */
  long nanoTime();

  /**
   * The CPU time used by the operating-system thread that runs the caller (for a virtual thread,
   * its carrier), in nanoseconds from an arbitrary origin: only differences between two readings on
   * one carrier mean anything. The kernel reads it where a process cannot change carriers between
   * two readings. By default {@link #nanoTime}: a clock that cannot read CPU time charges a process
   * all the time it holds a carrier.
   */
  default long threadCpuNanos() {
    return nanoTime();
  }

  /**
   * The JVM's monotonic clock, {@link System#nanoTime}, and on Linux the threads' CPU clocks
   * ({@code clock_gettime(CLOCK_THREAD_CPUTIME_ID)}, which needs native access: {@code
   * --enable-native-access=ALL-UNNAMED}; without it, CPU time is counted as {@link #nanoTime}).
   */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
