package dev.parigot.host;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * An app started by {@link AppHost#start}: its programs run in their own kernel, with the kernel
 * services and, if the manifest has an {@code [http]} table, the HTTP ingress. Thread-safe.
 */
public interface RunningApp extends AutoCloseable {
  /** The manifest's app name. */
  String name();

  /**
   * The address the HTTP ingress listens on (with port 0 in the manifest, the port the system
   * chose); empty if the manifest has no {@code [http]} table.
   */
  Optional<InetSocketAddress> httpAddress();

  /**
   * The address of the admin endpoint (with port 0, the port the system chose); empty unless {@link
   * AppHost.Builder#admin} turned it on.
   */
  Optional<InetSocketAddress> adminAddress();

  /**
   * Waits until every {@code main} program has ended.
   *
   * @return the exit code of the first main that ended with a non-zero code (a killed process
   *     counts as 70), or 0. An app without a main program waits until it is closed and returns 0.
   * @throws InterruptedException if the waiting thread is interrupted
   */
  int awaitMains() throws InterruptedException;

  /**
   * As {@link #awaitMains()}, for at most {@code timeout}.
   *
   * @return the exit code, or empty if the mains are still running
   * @throws InterruptedException if the waiting thread is interrupted
   */
  Optional<Integer> awaitMains(Duration timeout) throws InterruptedException;

  /**
   * Stops the app: first the HTTP ingress stops taking requests and ends its open exchanges, then
   * the kernel kills every process (their handlers included), then the kernel services close their
   * databases. Removes the shutdown hook if {@link AppHost.Builder#closeOnShutdown} set one.
   * Idempotent; a second caller waits until the first has finished.
   */
  @Override
  void close();
}
