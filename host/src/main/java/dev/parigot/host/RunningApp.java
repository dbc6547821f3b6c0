package dev.parigot.host;

import java.net.InetSocketAddress;
import java.nio.file.Path;
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
   * Replaces every process of a running service program with a new one of the same module, without
   * losing a call: the new processes start beside the old ones and take the calls once each serves
   * all the program's exports; the old ones finish the calls they have, for at most the program's
   * {@code drain_timeout_ms}, and are killed (a call still open then fails with {@code
   * PROVIDER_DIED}). Returns once the old processes have ended. One restart or upgrade of a program
   * runs at a time.
   *
   * @param program the name of a service program the app runs
   * @throws IllegalArgumentException if the app has no such program, or it is not a service
   * @throws IllegalStateException if the program is being restarted or upgraded already, or the app
   *     failed or was closed
   * @throws dev.parigot.errors.ParigotException if a new process cannot start (the program's {@code
   *     budget_mib} and {@code max_processes} count old and new together), ends, or does not serve
   *     all the program's exports within 10 s; the old processes serve on
   * @throws InterruptedException if the waiting thread is interrupted
   */
  void restart(String program) throws InterruptedException;

  /**
   * Upgrades a running service program to the module in {@code wasm}, as {@link #restart} replaces
   * its processes. The module is read and checked before anything starts: it may import only what
   * the ABI allows, must export {@code _start} and fit the program's {@code memory_mib}; then each
   * new process must serve every name the manifest lets the program export. From then on the
   * program runs the new module, also when its restart policy restarts it; the manifest file is not
   * changed, so the next {@code parigot run} starts the module it names.
   *
   * @param program the name of a service program the app runs
   * @param wasm the new module, a file of at most 256 MiB
   * @throws dev.parigot.errors.ModuleRefusedException if the file cannot be read or the module is
   *     refused; the message names the file and the program, and the old processes serve on
   * @throws IllegalArgumentException as for {@link #restart}
   * @throws IllegalStateException as for {@link #restart}
   * @throws dev.parigot.errors.ParigotException as for {@link #restart}
   * @throws InterruptedException if the waiting thread is interrupted
   */
  void upgrade(String program, Path wasm) throws InterruptedException;

  /**
   * Why the app failed: a service program ended more often than its {@code max_restarts} within
   * {@code restart_window_ms} allow. The message names the program and its last ending; the app's
   * processes were killed, and {@link #awaitMains} returns 70.
   *
   * @return the reason, or empty while the app has not failed
   */
  Optional<String> failure();

  /**
   * Stops the app: first the HTTP ingress stops taking requests and ends its open exchanges, then
   * the kernel kills every process (their handlers included), then the kernel services close their
   * databases. Removes the shutdown hook if {@link AppHost.Builder#closeOnShutdown} set one.
   * Idempotent; a second caller waits until the first has finished.
   */
  @Override
  void close();
}
