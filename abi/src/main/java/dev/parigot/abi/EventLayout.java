// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
package dev.parigot.abi;

/**
 * The layout of the event records wait writes: the i-th record is {@link #SIZE} bytes at
 * {@code events_ptr + i * SIZE}, little endian. The other constants are the byte offsets of its
 * fields within a record.
 */
public final class EventLayout {
  /** The size of one event record, in bytes. */
  public static final int SIZE = 32;

  /** What happened: one of the event kinds. Type u32, 4 bytes. */
  public static final int KIND = 0;

  /** The channel, worker or incoming-call handle the event belongs to. Type i32, 4 bytes. */
  public static final int HANDLE = 4;

  /**
   * CALL: the method number. ERROR: a negative errno or a positive application code. CANCEL: the
   * negative errno that ended the call. EXIT: the worker's exit code, or a negative errno when it
   * was killed. Otherwise 0. Type i32, 4 bytes.
   */
  public static final int CODE = 8;

  /**
   * CALL: the service handle (from export) the call was made to. EXIT: EXIT_KILLED if the kernel
   * killed the worker, 0 if it ended itself. Otherwise 0. Type i32, 4 bytes.
   */
  public static final int SERVICE = 12;

  /**
   * Where this event's payload starts, as an offset into the payload buffer given to wait. Type
   * u32, 4 bytes.
   */
  public static final int PAYLOAD_OFFSET = 16;

  /**
   * The payload's length in bytes. With TOO_SMALL from wait: the buffer size the first event needs.
   * Type u32, 4 bytes.
   */
  public static final int PAYLOAD_LEN = 20;

  /** Zero in version 1. Type u64, 8 bytes. */
  public static final int RESERVED = 24;

  private EventLayout() {}
}
