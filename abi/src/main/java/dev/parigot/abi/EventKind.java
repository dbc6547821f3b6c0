// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
package dev.parigot.abi;

import java.util.Optional;

/** What an event record reports, in its kind field ({@link EventLayout#KIND}). */
public enum EventKind {
  /** A partial result on a channel; more events follow. */
  PARTIAL(1, "A partial result on a channel; more events follow."),

  /**
   * The call succeeded; the payload is its last result (possibly empty). The channel handle is
   * released.
   */
  END(
      2,
      "The call succeeded; the payload is its last result (possibly empty). The channel handle is"
          + " released."),

  /**
   * The call failed: code is a negative errno (kernel error) or a positive application code; the
   * payload is the error message. The channel handle is released.
   */
  ERROR(
      3,
      "The call failed: code is a negative errno (kernel error) or a positive application code;"
          + " the payload is the error message. The channel handle is released."),

  /**
   * An incoming call to a service this process exports: handle is the new call id, code the method,
   * service the export handle, the payload the request.
   */
  CALL(
      4,
      "An incoming call to a service this process exports: handle is the new call id, code the"
          + " method, service the export handle, the payload the request."),

  /**
   * An incoming call ended before it was answered (the caller cancelled, timed out or died): code
   * says why. The call id is released.
   */
  CANCEL(
      5,
      "An incoming call ended before it was answered (the caller cancelled, timed out or died):"
          + " code says why. The call id is released."),

  /**
   * A message from the other end of a worker link. A worker's first event is a MESSAGE carrying the
   * spawn argument on the handle of its parent link.
   */
  MESSAGE(
      6,
      "A message from the other end of a worker link. A worker's first event is a MESSAGE"
          + " carrying the spawn argument on the handle of its parent link."),

  /**
   * A worker ended: code is its exit code, or a negative errno if it was killed. The worker handle
   * is released.
   */
  EXIT(
      7,
      "A worker ended: code is its exit code, or a negative errno if it was killed. The worker"
          + " handle is released.");

  private final int value;
  private final String description;

  EventKind(int value, String description) {
    this.value = value;
    this.description = description;
  }

  /** The number an event record's kind field holds for this kind. */
  public int value() {
    return value;
  }

  /** What this kind of event means, as abi.toml documents it. */
  public String description() {
    return description;
  }

  /**
   * The event kind numbered {@code value} (as an event record's kind field holds it), or empty if
   * there is none.
   */
  public static Optional<EventKind> fromValue(int value) {
    for (EventKind candidate : values()) {
      if (candidate.value == value) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
