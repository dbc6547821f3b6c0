package dev.parigot.kernel;

import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.errors.ParigotException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** An application started by {@link Kernel#launch}: the processes of one manifest. */
public interface App {
  /** The manifest's app name. */
  String name();

  /**
   * Waits until every {@code main} program has ended.
   *
   * @return the exit code of the first main that ended with a non-zero code, or 0: a main killed by
   *     the kernel counts as 137 (as a shell reports a process killed by SIGKILL; a program that
   *     exits 70 of its own accord stays 70), a main whose own code is outside 0-255 counts as 1 (a
   *     shell would see it modulo 256, so exit(256) as 0). An app without a main program waits
   *     until the kernel is closed and returns 0.
   * @throws InterruptedException if the waiting thread is interrupted
   */
  int awaitMains() throws InterruptedException;

  /**
   * As {@link #awaitMains()}, for at most {@code timeout}.
   *
   * @return the exit code, or empty if the mains are still running
   */
  Optional<Integer> awaitMains(Duration timeout) throws InterruptedException;

  /**
   * The max_message_bytes of the program that exports {@code service}: the largest request a call
   * to it may carry.
   *
   * @throws IllegalArgumentException if no program of this app exports {@code service}
   */
  int maxMessageBytes(String service);

  /**
   * Calls {@code service}, which a program of this app exports, from Java on the app's behalf: how
   * the kernel's HTTP ingress reaches its guest handlers. The provider sees the caller {@code
   * Caller(app, program, 0)}: pid 0 marks a call made from Java.
   *
   * <p>As a process's call, it never blocks and kernel-side failures arrive on {@code replies} as
   * negative errnos: {@code PROVIDER_DIED} when no live process serves the name or the serving one
   * dies, {@code MESSAGE_TOO_BIG} when the request exceeds the server's max_message_bytes, {@code
   * WOULD_EXCEED_LIMIT} when its queue is full, {@code SHUTTING_DOWN} when the kernel is stopping.
   * The call has no deadline: cancel it through the returned cancellation (with {@code TIMED_OUT}
   * for one that took too long), after which {@code replies} gets nothing more.
   *
   * @param program how the provider sees the calling program, e.g. {@code "http"}
   * @param service a name exported by a program of this app's manifest
   * @param method the method number
   * @param request the request, owned by the kernel from now on
   * @param replies where the results go, from any thread
   * @return how to cancel the call
   * @throws IllegalArgumentException if no program of this app exports {@code service}
   */
  Provider.Cancellation call(
      String program, String service, int method, byte[] request, Replies replies);

  /**
   * Replaces every process of a running service program with a new one of the same module, without
   * losing a call: the new processes start beside the old ones, and once each serves all the
   * program's exports new calls go to them; the old ones finish their calls in flight, for at most
   * the program's {@code drain_timeout_ms}, and are killed (calls still open then fail with {@code
   * PROVIDER_DIED}). Returns once the old processes have ended. Their workers end with them. A
   * program is replaced by one restart or upgrade at a time.
   *
   * @param program the name of a service program of this app
   * @throws IllegalArgumentException if this app has no running service program of that name
   * @throws IllegalStateException if the program is being replaced already, or the app no longer
   *     runs
   * @throws ParigotException if a new process cannot start (the program's or the app's memory
   *     budget or {@code max_processes} counts old and new processes together), ends, or does not
   *     serve all the program's exports within the kernel's start timeout; the old processes serve
   *     on
   * @throws InterruptedException if the calling thread is interrupted while it waits
   * @throws UnsupportedOperationException if this app cannot replace processes
   */
  default void restart(String program) throws InterruptedException {
    throw new UnsupportedOperationException("app '" + name() + "' cannot restart programs");
  }

  /**
   * Upgrades a running service program to the module at {@code wasm}, as {@link #restart} replaces
   * its processes: the module is read, loaded and checked first (it imports only what the ABI
   * allows, has a {@code _start} and fits the program's memory), and each new process must serve
   * all the exports the manifest gives the program before it takes a call. From then on the
   * program's new processes, including those its restart policy starts, run the new module.
   *
   * @param program the name of a service program of this app
   * @param wasm the new module
   * @throws ModuleRefusedException if the module cannot be read or is refused; the old processes
   *     serve on
   * @throws IllegalArgumentException as for {@link #restart}
   * @throws IllegalStateException as for {@link #restart}
   * @throws ParigotException as for {@link #restart}
   * @throws InterruptedException if the calling thread is interrupted while it waits
   * @throws UnsupportedOperationException if this app cannot replace processes
   */
  default void upgrade(String program, Path wasm) throws InterruptedException {
    throw new UnsupportedOperationException("app '" + name() + "' cannot upgrade programs");
  }

  /**
   * Why the app failed: a service program needed more restarts than its {@code max_restarts} within
   * {@code restart_window_ms} allow. The message names the program. The app's processes were killed
   * then, and {@link #awaitMains} returns 70.
   *
   * @return the reason, or empty while the app has not failed
   */
  default Optional<String> failure() {
    return Optional.empty();
  }
}
