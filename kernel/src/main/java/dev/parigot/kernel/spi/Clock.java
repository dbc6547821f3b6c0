package dev.parigot.kernel.spi;

/**
 * The kernel's time: call deadlines, wait time-outs and CPU slices are measured with it. Tests
 * inject one they advance by hand, so that a deadline test drives time instead of sleeping.
 */
@FunctionalInterface
public interface Clock {
  /**
   * The current time in nanoseconds, from an arbitrary origin, as {@link System#nanoTime}: only
   * differences mean anything. Never goes backwards. Any thread.
   */
  long nanoTime();

  /** The JVM's monotonic clock, {@link System#nanoTime}. */
  static Clock system() {
    return System::nanoTime;
  }
}
