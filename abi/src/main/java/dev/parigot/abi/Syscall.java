// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
package dev.parigot.abi;

import java.util.List;

/**
 * The syscalls: the functions a guest imports from the wasm module {@link Abi#IMPORT_MODULE}, in
 * abi.toml order. Pointers are i32 offsets into the caller's own memory. A syscall with a result
 * returns a non-negative value on success and the negative of an {@link Errno} on failure.
 */
public enum Syscall {
  /**
   * Returns a service handle for a name the program requires.
   *
   * <p>Signature: {@code locate(i32 name_ptr, i32 name_len) -> i32}. Errors:
   * {@link Errno#NOT_PERMITTED}, {@link Errno#NO_SUCH_SERVICE}, {@link Errno#BAD_ARGUMENT},
   * {@link Errno#WOULD_EXCEED_LIMIT}, {@link Errno#SHUTTING_DOWN}.
   */
  LOCATE(
      "locate",
      List.of("name_ptr", "name_len"),
      List.of(ValueType.I32, ValueType.I32),
      List.of(ValueType.I32),
      List.of(
          Errno.NOT_PERMITTED,
          Errno.NO_SUCH_SERVICE,
          Errno.BAD_ARGUMENT,
          Errno.WOULD_EXCEED_LIMIT,
          Errno.SHUTTING_DOWN),
      "Returns a service handle for a name the program requires."),

  /**
   * Starts serving a name the program exports; returns its service handle. Calls to it arrive as
   * CALL events.
   *
   * <p>Signature: {@code export(i32 name_ptr, i32 name_len) -> i32}. Errors:
   * {@link Errno#NOT_PERMITTED}, {@link Errno#BAD_ARGUMENT}, {@link Errno#ALREADY_EXPORTED},
   * {@link Errno#WOULD_EXCEED_LIMIT}, {@link Errno#SHUTTING_DOWN}.
   */
  EXPORT(
      "export",
      List.of("name_ptr", "name_len"),
      List.of(ValueType.I32, ValueType.I32),
      List.of(ValueType.I32),
      List.of(
          Errno.NOT_PERMITTED,
          Errno.BAD_ARGUMENT,
          Errno.ALREADY_EXPORTED,
          Errno.WOULD_EXCEED_LIMIT,
          Errno.SHUTTING_DOWN),
      "Starts serving a name the program exports; returns its service handle. Calls to it arrive"
          + " as CALL events."),

  /**
   * Starts a call and returns its channel handle at once. timeout_ms: -1 the program's
   * call_timeout_ms, 0 none, &gt; 0 milliseconds. Results arrive as PARTIAL events then one END or
   * ERROR.
   *
   * <p>Signature:
   * {@code call(i32 service, i32 method, i32 req_ptr, i32 req_len, i64 timeout_ms) -> i32}. Errors:
   * {@link Errno#BAD_HANDLE}, {@link Errno#BAD_ARGUMENT}, {@link Errno#MESSAGE_TOO_BIG},
   * {@link Errno#WOULD_EXCEED_LIMIT}, {@link Errno#SHUTTING_DOWN}.
   */
  CALL(
      "call",
      List.of("service", "method", "req_ptr", "req_len", "timeout_ms"),
      List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I64),
      List.of(ValueType.I32),
      List.of(
          Errno.BAD_HANDLE,
          Errno.BAD_ARGUMENT,
          Errno.MESSAGE_TOO_BIG,
          Errno.WOULD_EXCEED_LIMIT,
          Errno.SHUTTING_DOWN),
      "Starts a call and returns its channel handle at once. timeout_ms: -1 the program's"
          + " call_timeout_ms, 0 none, > 0 milliseconds. Results arrive as PARTIAL events then"
          + " one END or ERROR."),

  /**
   * Blocks until at least one event is pending or timeout_ms passes (-1 forever, 0 poll); writes up
   * to max_events (1..1024) records and their payloads; returns how many (0 on timeout).
   *
   * <p>Signature:
   * {@code wait(i32 events_ptr, i32 max_events, i32 buf_ptr, i32 buf_len, i64 timeout_ms) -> i32}.
   * Errors: {@link Errno#BAD_ARGUMENT}, {@link Errno#BUFFER_TOO_SMALL}.
   */
  WAIT(
      "wait",
      List.of("events_ptr", "max_events", "buf_ptr", "buf_len", "timeout_ms"),
      List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I64),
      List.of(ValueType.I32),
      List.of(Errno.BAD_ARGUMENT, Errno.BUFFER_TOO_SMALL),
      "Blocks until at least one event is pending or timeout_ms passes (-1 forever, 0 poll);"
          + " writes up to max_events (1..1024) records and their payloads; returns how many (0"
          + " on timeout)."),

  /**
   * Answers an incoming call: flags REPLY_PARTIAL sends a partial result, REPLY_END the last one
   * and releases the call id.
   *
   * <p>Signature: {@code reply(i32 call_id, i32 flags, i32 ptr, i32 len) -> i32}. Errors:
   * {@link Errno#BAD_HANDLE}, {@link Errno#BAD_ARGUMENT}, {@link Errno#CANCELLED},
   * {@link Errno#MESSAGE_TOO_BIG}.
   */
  REPLY(
      "reply",
      List.of("call_id", "flags", "ptr", "len"),
      List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32),
      List.of(ValueType.I32),
      List.of(Errno.BAD_HANDLE, Errno.BAD_ARGUMENT, Errno.CANCELLED, Errno.MESSAGE_TOO_BIG),
      "Answers an incoming call: flags REPLY_PARTIAL sends a partial result, REPLY_END the last"
          + " one and releases the call id."),

  /**
   * Ends an incoming call with an application error: code &gt; 0 and a message. Releases the call
   * id.
   *
   * <p>Signature: {@code fail(i32 call_id, i32 code, i32 msg_ptr, i32 msg_len) -> i32}. Errors:
   * {@link Errno#BAD_HANDLE}, {@link Errno#BAD_ARGUMENT}, {@link Errno#CANCELLED},
   * {@link Errno#MESSAGE_TOO_BIG}.
   */
  FAIL(
      "fail",
      List.of("call_id", "code", "msg_ptr", "msg_len"),
      List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32),
      List.of(ValueType.I32),
      List.of(Errno.BAD_HANDLE, Errno.BAD_ARGUMENT, Errno.CANCELLED, Errno.MESSAGE_TOO_BIG),
      "Ends an incoming call with an application error: code > 0 and a message. Releases the call"
          + " id."),

  /**
   * Cancels an open channel (the provider sees CANCEL) or stops a worker. Releases the handle; no
   * further event arrives for it.
   *
   * <p>Signature: {@code cancel(i32 handle) -> i32}. Errors: {@link Errno#BAD_HANDLE}.
   */
  CANCEL(
      "cancel",
      List.of("handle"),
      List.of(ValueType.I32),
      List.of(ValueType.I32),
      List.of(Errno.BAD_HANDLE),
      "Cancels an open channel (the provider sees CANCEL) or stops a worker. Releases the handle;"
          + " no further event arrives for it."),

  /**
   * Starts a worker: a new instance of this module, with its own memory and thread, running the
   * exported () -&gt; () function entry. Returns the worker handle.
   *
   * <p>Signature: {@code spawn(i32 entry_ptr, i32 entry_len, i32 arg_ptr, i32 arg_len) -> i32}.
   * Errors: {@link Errno#NO_SUCH_SERVICE}, {@link Errno#BAD_ARGUMENT},
   * {@link Errno#MESSAGE_TOO_BIG}, {@link Errno#WOULD_EXCEED_LIMIT}, {@link Errno#SHUTTING_DOWN}.
   */
  SPAWN(
      "spawn",
      List.of("entry_ptr", "entry_len", "arg_ptr", "arg_len"),
      List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32),
      List.of(ValueType.I32),
      List.of(
          Errno.NO_SUCH_SERVICE,
          Errno.BAD_ARGUMENT,
          Errno.MESSAGE_TOO_BIG,
          Errno.WOULD_EXCEED_LIMIT,
          Errno.SHUTTING_DOWN),
      "Starts a worker: a new instance of this module, with its own memory and thread, running"
          + " the exported () -> () function entry. Returns the worker handle."),

  /**
   * Sends a message to the other end of a worker link; it arrives there as a MESSAGE event.
   *
   * <p>Signature: {@code send(i32 handle, i32 ptr, i32 len) -> i32}. Errors:
   * {@link Errno#BAD_HANDLE}, {@link Errno#MESSAGE_TOO_BIG}, {@link Errno#WOULD_EXCEED_LIMIT},
   * {@link Errno#PROVIDER_DIED}.
   */
  SEND(
      "send",
      List.of("handle", "ptr", "len"),
      List.of(ValueType.I32, ValueType.I32, ValueType.I32),
      List.of(ValueType.I32),
      List.of(
          Errno.BAD_HANDLE, Errno.MESSAGE_TOO_BIG, Errno.WOULD_EXCEED_LIMIT, Errno.PROVIDER_DIED),
      "Sends a message to the other end of a worker link; it arrives there as a MESSAGE event."),

  /**
   * Ends the calling process with an exit code. Does not return.
   *
   * <p>Signature: {@code exit(i32 code)}.
   */
  EXIT(
      "exit",
      List.of("code"),
      List.of(ValueType.I32),
      List.of(),
      List.of(),
      "Ends the calling process with an exit code. Does not return.");

  private final String importName;
  private final List<String> paramNames;
  private final List<ValueType> params;
  private final List<ValueType> results;
  private final List<Errno> errors;
  private final String description;

  Syscall(
      String importName,
      List<String> paramNames,
      List<ValueType> params,
      List<ValueType> results,
      List<Errno> errors,
      String description) {
    this.importName = importName;
    this.paramNames = paramNames;
    this.params = params;
    this.results = results;
    this.errors = errors;
    this.description = description;
  }

  /** The name this syscall is imported by from {@link Abi#IMPORT_MODULE}. */
  public String importName() {
    return importName;
  }

  /** The parameters' names as abi.toml gives them, in order; immutable. */
  public List<String> paramNames() {
    return paramNames;
  }

  /** The parameters' wasm types, in order; immutable. */
  public List<ValueType> params() {
    return params;
  }

  /** The results' wasm types: one i32, or none for a syscall that does not return; immutable. */
  public List<ValueType> results() {
    return results;
  }

  /** The errors this syscall can return, negated; immutable. */
  public List<Errno> errors() {
    return errors;
  }

  /** What this syscall does, as abi.toml documents it. */
  public String description() {
    return description;
  }
}
