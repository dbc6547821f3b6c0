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
}
