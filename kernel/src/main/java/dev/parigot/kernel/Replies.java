package dev.parigot.kernel;

/**
 * Where the results of one call go: the seam between whoever serves a call (a local process, a
 * Java service, a remote kernel) and the caller. Any thread may call these methods.
 *
 * <p>A call receives zero or more {@link #partial} results and then exactly one {@link #end} or
 * {@link #fail}; once the call is finished every method returns false and drops its argument.
 */
public interface Replies {
  /** Delivers a partial result; false when the call is already finished. */
  boolean partial(byte[] data);

  /**
   * Whether a partial result of {@code bytes} would be taken now without overflowing the caller:
   * a provider that can wait (one reading an upload, say) checks it before each partial and
   * waits while it is false, which is how its caller's pace reaches the source. Advisory: it may
   * change at once. By default true: a caller that does not say has room.
   */
  default boolean hasRoom(int bytes) {
    return true;
  }

  /** Finishes the call successfully; false when it was already finished. */
  boolean end(byte[] data);

  /**
   * Finishes the call with an error; false when it was already finished.
   *
   * @param code a negative errno for kernel errors or a positive application code
   * @param message a UTF-8 message, possibly empty
   */
  boolean fail(int code, byte[] message);
}
