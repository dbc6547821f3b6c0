// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
package dev.parigot.abi;

import java.util.Optional;

/**
 * The errors syscalls report. A syscall returns the negative of an errno's {@link #value()}, and
 * events that report a kernel error carry it, negated, in their code field.
 */
public enum Errno {
  /** The program's manifest does not grant this name. */
  NOT_PERMITTED(1, "The program's manifest does not grant this name."),

  /**
   * Nothing serves this name (at locate, or as a call's ERROR once its provider was removed), or
   * the worker entry is not an exported () -&gt; () function.
   */
  NO_SUCH_SERVICE(
      2,
      "Nothing serves this name (at locate, or as a call's ERROR once its provider was removed),"
          + " or the worker entry is not an exported () -> () function."),

  /** The call's deadline passed. */
  TIMED_OUT(3, "The call's deadline passed."),

  /** The call was cancelled; a reply to it is refused. */
  CANCELLED(4, "The call was cancelled; a reply to it is refused."),

  /** The process serving the call, or the worker, died before answering. */
  PROVIDER_DIED(5, "The process serving the call, or the worker, died before answering."),

  /** A request, reply or message is larger than the program's max_message_bytes. */
  MESSAGE_TOO_BIG(6, "A request, reply or message is larger than the program's max_message_bytes."),

  /**
   * The call would exceed max_inflight, max_workers or the handle table, or the receiving process
   * has too much unread in its queue.
   */
  WOULD_EXCEED_LIMIT(
      7,
      "The call would exceed max_inflight, max_workers or the handle table, or the receiving"
          + " process has too much unread in its queue."),

  /** A scalar argument is out of range (bad flags, negative count, malformed name, ...). */
  BAD_ARGUMENT(
      8, "A scalar argument is out of range (bad flags, negative count, malformed name, ...)."),

  /** The handle is not open in this process, or is of the wrong kind. */
  BAD_HANDLE(9, "The handle is not open in this process, or is of the wrong kind."),

  /**
   * wait: the first event's payload does not fit the buffer; its size is in events[0].payload_len
   * and nothing was consumed.
   */
  BUFFER_TOO_SMALL(
      10,
      "wait: the first event's payload does not fit the buffer; its size is in"
          + " events[0].payload_len and nothing was consumed."),

  /** This process already serves that name. */
  ALREADY_EXPORTED(11, "This process already serves that name."),

  /** The kernel is stopping. */
  SHUTTING_DOWN(12, "The kernel is stopping.");

  private final int value;
  private final String description;

  Errno(int value, String description) {
    this.value = value;
    this.description = description;
  }

  /** This error's number, always positive. */
  public int value() {
    return value;
  }

  /** {@code -value()}: what a syscall returns for this error. */
  public int negative() {
    return -value;
  }

  /** What this error means, as abi.toml documents it. */
  public String description() {
    return description;
  }

  /**
   * The errno numbered {@code value} (positive, as {@link #value()} returns it; not negated), or
   * empty if there is none.
   */
  public static Optional<Errno> fromValue(int value) {
    for (Errno candidate : values()) {
      if (candidate.value == value) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
