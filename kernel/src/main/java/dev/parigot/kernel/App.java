package dev.parigot.kernel;

import java.time.Duration;
import java.util.Optional;

/** An application started by {@link Kernel#launch}: the processes of one manifest. */
public interface App {
  /** The manifest's app name. */
  String name();

  /**
   * Waits until every {@code main} program has ended.
   *
   * @return the exit code of the first main that ended with a non-zero code (a killed process
   *     counts as 70), or 0. An app without a main program waits until the kernel is closed and
   *     returns 0.
   * @throws InterruptedException if the waiting thread is interrupted
   */
  int awaitMains() throws InterruptedException;

  /**
   * As {@link #awaitMains()}, for at most {@code timeout}.
   *
   * @return the exit code, or empty if the mains are still running
   */
  Optional<Integer> awaitMains(Duration timeout) throws InterruptedException;
}
