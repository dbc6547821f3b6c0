// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
package dev.parigot.abi;

/**
 * The guest ABI's version, the wasm module its syscalls are imported from, and the constants its
 * syscalls take.
 */
public final class Abi {
  /** The ABI version these names and numbers belong to. */
  public static final int VERSION = 1;

  /** The wasm module every syscall is imported from. */
  public static final String IMPORT_MODULE = "parigot";

  /** reply flags: a partial result; the call stays open. */
  public static final int REPLY_PARTIAL = 0;

  /** reply flags: the last result; the call ends. */
  public static final int REPLY_END = 1;

  /** call timeout_ms: use the program's call_timeout_ms. wait timeout_ms: wait forever. */
  public static final int TIMEOUT_DEFAULT = -1;

  /** call timeout_ms: no deadline. wait timeout_ms: poll without blocking. */
  public static final int TIMEOUT_NONE = 0;

  /** The largest max_events wait accepts. */
  public static final int MAX_EVENTS = 1024;

  /**
   * The longest service or entry name, in bytes. Names use [A-Za-z0-9._-] and start with a letter.
   */
  public static final int MAX_NAME_LEN = 255;

  /** EXIT event service field: the kernel killed the worker (its code is then -PROVIDER_DIED). */
  public static final int EXIT_KILLED = 1;

  private Abi() {}
}
