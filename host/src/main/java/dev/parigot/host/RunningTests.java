package dev.parigot.host;

import dev.parigot.services.TestReport;
import java.time.Duration;

/**
 * An app's test programs started by {@link AppHost#startTests}, with the programs they require, in
 * their own kernel with the kernel services. Thread-safe.
 *
 * <pre>{@code
 * try (RunningTests tests = host.startTests()) {
 *   boolean ended = tests.awaitTests(Duration.ofMinutes(10));
 *   TestReport report = tests.report();
 * }
 * }</pre>
 */
public interface RunningTests extends AutoCloseable {
  /**
   * Waits until every test program (workers included) has ended, for at most {@code timeout}.
   *
   * @return whether they all ended; if not, {@link #report} kills those still running
   * @throws IllegalArgumentException if {@code timeout} is not positive
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean awaitTests(Duration timeout) throws InterruptedException;

  /**
   * Stops the kernel, killing what still runs (the services the tests required, and tests that have
   * not ended), so that every process's ending is in; then judges what the test programs reported,
   * as {@link dev.parigot.services.TestRun#report} does. Calling it again judges the same record
   * again.
   */
  TestReport report();

  /**
   * Stops the kernel, if {@link #report} has not, then closes the kernel services. Idempotent; a
   * second caller waits until the first has finished.
   */
  @Override
  void close();
}
