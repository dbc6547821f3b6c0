package dev.parigot.kernel;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the results of one call go: the seam between whoever serves a call (a local process, a Java
 * service, a remote kernel) and the caller. Any thread may call these methods, and none of them
 * blocks.
 *
 * <p>A call receives zero or more {@link #partial} results and then exactly one {@link #end} or
 * {@link #fail}; once the call is finished every method returns false and drops its argument.
 *
 * <p><b>Flow control.</b> A caller reads at its own pace, so a provider that streams asks before
 * each partial whether the caller {@link #isReady is ready} and, when it is not, registers a
 * callback with {@link #onReady} and returns; nothing waits. A provider that sends while the caller
 * is not ready may lose the call: each caller bounds what it holds unread and fails the call past
 * that bound (a process's queue: docs/abi.md, "Queue bound"; the HTTP ingress: {@code
 * HttpIngress}).
 *
 * <p><b>Deadline.</b> A caller may say how long it still waits for the call: {@link #timeLeft}. A
 * provider need not ask; the caller enforces its deadline regardless.
 */
public interface Replies {
  /**
   * How long the caller still waits for the call: empty when it set no deadline, {@link
   * Duration#ZERO} once the deadline has passed, never negative. Known when the provider's {@link
   * Provider#open} runs, and shrinking as time passes on the caller's clock. A provider may bound
   * its work by it or pass it on (a call to another node carries it); it need not enforce it, as
   * the caller does: at the deadline the call fails with {@code TIMED_OUT} and the provider's
   * cancellation is told {@code TIMED_OUT}.
   *
   * <p>For a call from a process, the deadline is the call's timeout argument or, by default, the
   * program's {@code call_timeout_ms} (0: none), from when the call was made. By default empty: a
   * caller that does not say sets no deadline.
   */
  default Optional<Duration> timeLeft() {
    return Optional.empty();
  }

  /** Delivers a partial result; false when the call is already finished. */
  boolean partial(byte[] data);

  /**
   * Whether a partial result sent now is taken without passing the caller's bound: true while the
   * caller has room for at least one more partial of its largest message size, and true once the
   * call is finished (a partial then is dropped, not piled up; {@link #partial} says so). False
   * only while the call is open and the caller is behind. Never blocks; advisory, as the caller may
   * read or another stream may fill it at once. By default true: a caller that does not say has
   * room.
   */
  default boolean isReady() {
    return true;
  }

  /**
   * Runs {@code callback} once, when {@link #isReady} is or becomes true: at once, on the calling
   * thread, if it is true now; otherwise later, on a thread of the implementation's choosing (never
   * a guest's), when the caller has taken enough or the call finishes, whichever comes first. So a
   * pending callback never outlives the call, and after the end it runs harmlessly: the provider
   * finds the call over when it sends. {@link #isReady} may be false again by the time it runs.
   *
   * <p>The callback must be quick and must not block: a provider with work to do hands it to a
   * thread of its own. One callback may be pending per call; another may be registered once it has
   * run. By default it runs at once.
   *
   * @throws IllegalStateException if a callback registered earlier has not run yet
   */
  default void onReady(Runnable callback) {
    callback.run();
  }

  /**
   * Finishes the call successfully; false when it was already finished, or when the caller cannot
   * hold the result: the call then fails at the caller with {@code WOULD_EXCEED_LIMIT} and the
   * provider's cancellation is told so, as for a partial past the caller's bound.
   */
  boolean end(byte[] data);

  /**
   * Finishes the call with an error; false when it was already finished.
   *
   * @param code a negative errno for kernel errors or a positive application code
   * @param message a UTF-8 message, possibly empty
   */
  boolean fail(int code, byte[] message);
}
