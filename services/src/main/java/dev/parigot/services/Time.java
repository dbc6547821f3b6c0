package dev.parigot.services;

/**
 * The services' clocks and timer: the seam that lets tests drive time instead of sleeping.
 * Implementations are thread-safe.
 */
interface Time {
  /** Wall time in nanoseconds since the Unix epoch; may jump. */
  long wallNanos();

  /** Monotonic time in nanoseconds from an arbitrary origin; never goes back. */
  long nanos();

  /**
   * Runs {@code task} once, after {@code delayNanos} of monotonic time, on a timer thread. Tasks
   * must be quick: anything that blocks (the store) is handed to a service thread.
   */
  Scheduled schedule(long delayNanos, Runnable task);

  /** A scheduled task. */
  @FunctionalInterface
  interface Scheduled {
    /** Stops the task if it has not run; idempotent. */
    void cancel();
  }
}
