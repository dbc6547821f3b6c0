// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
// abi.ts: the raw AssemblyScript binding of the Parigot guest ABI, version 1. The syscalls are wasm
// imports from the module "parigot". Pointers are offsets into the caller's own memory; a bad
// (pointer, length) pair kills the calling process. docs/abi.md describes the behaviour behind
// these names; runtime.ts builds the SDK on them.

export const ABI_VERSION: i32 = 1;

// Errors. Syscalls return the negative of these numbers (for example -E_BAD_HANDLE); ERROR and
// CANCEL events carry it, negated, in their code field.
// The program's manifest does not grant this name.
export const E_NOT_PERMITTED: i32 = 1;
// Nothing serves this name (at locate, or as a call's ERROR once its provider was removed), or the
// worker entry is not an exported () -> () function.
export const E_NO_SUCH_SERVICE: i32 = 2;
// The call's deadline passed.
export const E_TIMED_OUT: i32 = 3;
// The call was cancelled; a reply to it is refused.
export const E_CANCELLED: i32 = 4;
// The process serving the call, or the worker, died before answering.
export const E_PROVIDER_DIED: i32 = 5;
// A request, reply or message is larger than the program's max_message_bytes.
export const E_MESSAGE_TOO_BIG: i32 = 6;
// The call would exceed max_inflight, max_workers or the handle table, or the receiving process has
// too much unread in its queue.
export const E_WOULD_EXCEED_LIMIT: i32 = 7;
// A scalar argument is out of range (bad flags, negative count, malformed name, ...).
export const E_BAD_ARGUMENT: i32 = 8;
// The handle is not open in this process, or is of the wrong kind.
export const E_BAD_HANDLE: i32 = 9;
// wait: the first event's payload does not fit the buffer; its size is in events[0].payload_len and
// nothing was consumed.
export const E_BUFFER_TOO_SMALL: i32 = 10;
// This process already serves that name.
export const E_ALREADY_EXPORTED: i32 = 11;
// The kernel is stopping.
export const E_SHUTTING_DOWN: i32 = 12;

// Event kinds: the kind field of an event record.
// A partial result on a channel; more events follow.
export const EVENT_PARTIAL: u32 = 1;
// The call succeeded; the payload is its last result (possibly empty). The channel handle is
// released.
export const EVENT_END: u32 = 2;
// The call failed: code is a negative errno (kernel error) or a positive application code; the
// payload is the error message. The channel handle is released.
export const EVENT_ERROR: u32 = 3;
// An incoming call to a service this process exports: handle is the new call id, code the method,
// service the export handle, the payload the request.
export const EVENT_CALL: u32 = 4;
// An incoming call ended before it was answered (the caller cancelled, timed out or died): code
// says why. The call id is released.
export const EVENT_CANCEL: u32 = 5;
// A message from the other end of a worker link. A worker's first event is a MESSAGE carrying the
// spawn argument on the handle of its parent link.
export const EVENT_MESSAGE: u32 = 6;
// A worker ended: code is its exit code, or a negative errno if it was killed. The worker handle is
// released.
export const EVENT_EXIT: u32 = 7;

// Constants the syscalls take.
// reply flags: a partial result; the call stays open.
export const REPLY_PARTIAL: i32 = 0;
// reply flags: the last result; the call ends.
export const REPLY_END: i32 = 1;
// call timeout_ms: use the program's call_timeout_ms. wait timeout_ms: wait forever.
export const TIMEOUT_DEFAULT: i32 = -1;
// call timeout_ms: no deadline. wait timeout_ms: poll without blocking.
export const TIMEOUT_NONE: i32 = 0;
// The largest max_events wait accepts.
export const MAX_EVENTS: i32 = 1024;
// The longest service or entry name, in bytes. Names use [A-Za-z0-9._-] and start with a letter.
export const MAX_NAME_LEN: i32 = 255;
// EXIT event service field: the kernel killed the worker (its code is then -PROVIDER_DIED).
export const EXIT_KILLED: i32 = 1;

// One event record as wait writes it: EVENT_SIZE bytes, little endian; each field at its EVENT_
// offset (read with load<u32>, load<i32> or load<u64>).
export const EVENT_SIZE: i32 = 32;
// u32: What happened: one of the event kinds.
export const EVENT_KIND: i32 = 0;
// i32: The channel, worker or incoming-call handle the event belongs to.
export const EVENT_HANDLE: i32 = 4;
// i32: CALL: the method number. ERROR: a negative errno or a positive application code. CANCEL: the
// negative errno that ended the call. EXIT: the worker's exit code, or a negative errno when it was
// killed. Otherwise 0.
export const EVENT_CODE: i32 = 8;
// i32: CALL: the service handle (from export) the call was made to. EXIT: EXIT_KILLED if the kernel
// killed the worker, 0 if it ended itself. Otherwise 0.
export const EVENT_SERVICE: i32 = 12;
// u32: Where this event's payload starts, as an offset into the payload buffer given to wait.
export const EVENT_PAYLOAD_OFFSET: i32 = 16;
// u32: The payload's length in bytes. With TOO_SMALL from wait: the buffer size the first event
// needs.
export const EVENT_PAYLOAD_LEN: i32 = 20;
// u64: Zero in version 1.
export const EVENT_RESERVED: i32 = 24;

// Returns a service handle for a name the program requires. Errors (returned negated):
// E_NOT_PERMITTED, E_NO_SUCH_SERVICE, E_BAD_ARGUMENT, E_WOULD_EXCEED_LIMIT, E_SHUTTING_DOWN.
@external("parigot", "locate")
export declare function parigot_locate(name_ptr: usize, name_len: i32): i32;

// Starts serving a name the program exports; returns its service handle. Calls to it arrive as CALL
// events. Errors (returned negated): E_NOT_PERMITTED, E_BAD_ARGUMENT, E_ALREADY_EXPORTED,
// E_WOULD_EXCEED_LIMIT, E_SHUTTING_DOWN.
@external("parigot", "export")
export declare function parigot_export(name_ptr: usize, name_len: i32): i32;

// Starts a call and returns its channel handle at once. timeout_ms: -1 the program's
// call_timeout_ms, 0 none, > 0 milliseconds. Results arrive as PARTIAL events then one END or
// ERROR. Errors (returned negated): E_BAD_HANDLE, E_BAD_ARGUMENT, E_MESSAGE_TOO_BIG,
// E_WOULD_EXCEED_LIMIT, E_SHUTTING_DOWN.
@external("parigot", "call")
export declare function parigot_call(service: i32, method: i32, req_ptr: usize, req_len: i32, timeout_ms: i64): i32;

// Blocks until at least one event is pending or timeout_ms passes (-1 forever, 0 poll); writes up
// to max_events (1..1024) records and their payloads; returns how many (0 on timeout). Errors
// (returned negated): E_BAD_ARGUMENT, E_BUFFER_TOO_SMALL.
@external("parigot", "wait")
export declare function parigot_wait(events_ptr: usize, max_events: i32, buf_ptr: usize, buf_len: i32, timeout_ms: i64): i32;

// Answers an incoming call: flags REPLY_PARTIAL sends a partial result, REPLY_END the last one and
// releases the call id. Errors (returned negated): E_BAD_HANDLE, E_BAD_ARGUMENT, E_CANCELLED,
// E_MESSAGE_TOO_BIG.
@external("parigot", "reply")
export declare function parigot_reply(call_id: i32, flags: i32, ptr: usize, len: i32): i32;

// Ends an incoming call with an application error: code > 0 and a message. Releases the call id.
// Errors (returned negated): E_BAD_HANDLE, E_BAD_ARGUMENT, E_CANCELLED, E_MESSAGE_TOO_BIG.
@external("parigot", "fail")
export declare function parigot_fail(call_id: i32, code: i32, msg_ptr: usize, msg_len: i32): i32;

// Cancels an open channel (the provider sees CANCEL) or stops a worker. Releases the handle; no
// further event arrives for it. Errors (returned negated): E_BAD_HANDLE.
@external("parigot", "cancel")
export declare function parigot_cancel(handle: i32): i32;

// Starts a worker: a new instance of this module, with its own memory and thread, running the
// exported () -> () function entry. Returns the worker handle. Errors (returned negated):
// E_NO_SUCH_SERVICE, E_BAD_ARGUMENT, E_MESSAGE_TOO_BIG, E_WOULD_EXCEED_LIMIT, E_SHUTTING_DOWN.
@external("parigot", "spawn")
export declare function parigot_spawn(entry_ptr: usize, entry_len: i32, arg_ptr: usize, arg_len: i32): i32;

// Sends a message to the other end of a worker link; it arrives there as a MESSAGE event. Errors
// (returned negated): E_BAD_HANDLE, E_MESSAGE_TOO_BIG, E_WOULD_EXCEED_LIMIT, E_PROVIDER_DIED.
@external("parigot", "send")
export declare function parigot_send(handle: i32, ptr: usize, len: i32): i32;

// Ends the calling process with an exit code. Does not return.
@external("parigot", "exit")
export declare function parigot_exit(code: i32): void;

// What an error means: err is an E_ number, negated or not. Returns "unknown error" for any other
// number.
export function strerror(err: i32): string {
  const e: i64 = err < 0 ? -(<i64>err) : <i64>err;
  if (e == E_NOT_PERMITTED) return "The program's manifest does not grant this name.";
  if (e == E_NO_SUCH_SERVICE) return "Nothing serves this name (at locate, or as a call's ERROR once its provider was removed), or the worker entry is not an exported () -> () function.";
  if (e == E_TIMED_OUT) return "The call's deadline passed.";
  if (e == E_CANCELLED) return "The call was cancelled; a reply to it is refused.";
  if (e == E_PROVIDER_DIED) return "The process serving the call, or the worker, died before answering.";
  if (e == E_MESSAGE_TOO_BIG) return "A request, reply or message is larger than the program's max_message_bytes.";
  if (e == E_WOULD_EXCEED_LIMIT) return "The call would exceed max_inflight, max_workers or the handle table, or the receiving process has too much unread in its queue.";
  if (e == E_BAD_ARGUMENT) return "A scalar argument is out of range (bad flags, negative count, malformed name, ...).";
  if (e == E_BAD_HANDLE) return "The handle is not open in this process, or is of the wrong kind.";
  if (e == E_BUFFER_TOO_SMALL) return "wait: the first event's payload does not fit the buffer; its size is in events[0].payload_len and nothing was consumed.";
  if (e == E_ALREADY_EXPORTED) return "This process already serves that name.";
  if (e == E_SHUTTING_DOWN) return "The kernel is stopping.";
  return "unknown error";
}
