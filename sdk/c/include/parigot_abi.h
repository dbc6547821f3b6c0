// Generated from abi/abi.toml by scripts/regen-abi. Do not edit.
/*
 * parigot_abi.h: the raw C binding of the Parigot guest ABI, version 1.
 *
 * The syscalls are wasm imports from the module "parigot". Pointers are offsets
 * into the caller's own memory; a bad (pointer, length) pair kills the calling
 * process. docs/abi.md describes the behaviour behind these names.
 */
#ifndef PARIGOT_ABI_H
#define PARIGOT_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PARIGOT_ABI_VERSION 1

/*
 * Errors. Syscalls return the negative of these numbers (for example
 * -PARIGOT_E_BAD_HANDLE); ERROR and CANCEL events carry it, negated, in their
 * code field.
 */
/* The program's manifest does not grant this name. */
#define PARIGOT_E_NOT_PERMITTED 1
/*
 * Nothing serves this name (at locate, or as a call's ERROR once its provider
 * was removed), or the worker entry is not an exported () -> () function.
 */
#define PARIGOT_E_NO_SUCH_SERVICE 2
/* The call's deadline passed. */
#define PARIGOT_E_TIMED_OUT 3
/* The call was cancelled; a reply to it is refused. */
#define PARIGOT_E_CANCELLED 4
/* The process serving the call, or the worker, died before answering. */
#define PARIGOT_E_PROVIDER_DIED 5
/*
 * A request, reply or message is larger than the program's max_message_bytes.
 */
#define PARIGOT_E_MESSAGE_TOO_BIG 6
/*
 * The call would exceed max_inflight, max_workers or the handle table, or the
 * receiving process has too much unread in its queue.
 */
#define PARIGOT_E_WOULD_EXCEED_LIMIT 7
/*
 * A scalar argument is out of range (bad flags, negative count, malformed name,
 * ...).
 */
#define PARIGOT_E_BAD_ARGUMENT 8
/* The handle is not open in this process, or is of the wrong kind. */
#define PARIGOT_E_BAD_HANDLE 9
/*
 * wait: the first event's payload does not fit the buffer; its size is in
 * events[0].payload_len and nothing was consumed.
 */
#define PARIGOT_E_BUFFER_TOO_SMALL 10
/* This process already serves that name. */
#define PARIGOT_E_ALREADY_EXPORTED 11
/* The kernel is stopping. */
#define PARIGOT_E_SHUTTING_DOWN 12

/* Event kinds: the kind field of a parigot_event. */
/* A partial result on a channel; more events follow. */
#define PARIGOT_EVENT_PARTIAL 1
/*
 * The call succeeded; the payload is its last result (possibly empty). The
 * channel handle is released.
 */
#define PARIGOT_EVENT_END 2
/*
 * The call failed: code is a negative errno (kernel error) or a positive
 * application code; the payload is the error message. The channel handle is
 * released.
 */
#define PARIGOT_EVENT_ERROR 3
/*
 * An incoming call to a service this process exports: handle is the new call
 * id, code the method, service the export handle, the payload the request.
 */
#define PARIGOT_EVENT_CALL 4
/*
 * An incoming call ended before it was answered (the caller cancelled, timed
 * out or died): code says why. The call id is released.
 */
#define PARIGOT_EVENT_CANCEL 5
/*
 * A message from the other end of a worker link. A worker's first event is a
 * MESSAGE carrying the spawn argument on the handle of its parent link.
 */
#define PARIGOT_EVENT_MESSAGE 6
/*
 * A worker ended: code is its exit code, or a negative errno if it was killed.
 * The worker handle is released.
 */
#define PARIGOT_EVENT_EXIT 7

/* Constants the syscalls take. */
/* reply flags: a partial result; the call stays open. */
#define PARIGOT_REPLY_PARTIAL (0)
/* reply flags: the last result; the call ends. */
#define PARIGOT_REPLY_END (1)
/*
 * call timeout_ms: use the program's call_timeout_ms. wait timeout_ms: wait
 * forever.
 */
#define PARIGOT_TIMEOUT_DEFAULT (-1)
/* call timeout_ms: no deadline. wait timeout_ms: poll without blocking. */
#define PARIGOT_TIMEOUT_NONE (0)
/* The largest max_events wait accepts. */
#define PARIGOT_MAX_EVENTS (1024)
/*
 * The longest service or entry name, in bytes. Names use [A-Za-z0-9._-] and
 * start with a letter.
 */
#define PARIGOT_MAX_NAME_LEN (255)
/*
 * EXIT event service field: the kernel killed the worker (its code is then
 * -PROVIDER_DIED).
 */
#define PARIGOT_EXIT_KILLED (1)

/* One event record as parigot_wait writes it: 32 bytes, little endian. */
typedef struct parigot_event {
  /* What happened: one of the event kinds. */
  uint32_t kind;
  /* The channel, worker or incoming-call handle the event belongs to. */
  int32_t handle;
  /*
   * CALL: the method number. ERROR: a negative errno or a positive application
   * code. CANCEL: the negative errno that ended the call. EXIT: the worker's
   * exit code, or a negative errno when it was killed. Otherwise 0.
   */
  int32_t code;
  /*
   * CALL: the service handle (from export) the call was made to. EXIT:
   * EXIT_KILLED if the kernel killed the worker, 0 if it ended itself.
   * Otherwise 0.
   */
  int32_t service;
  /*
   * Where this event's payload starts, as an offset into the payload buffer
   * given to wait.
   */
  uint32_t payload_offset;
  /*
   * The payload's length in bytes. With TOO_SMALL from wait: the buffer size
   * the first event needs.
   */
  uint32_t payload_len;
  /* Zero in version 1. */
  uint64_t reserved;
} parigot_event;

_Static_assert(sizeof(parigot_event) == 32,
               "parigot_event must be 32 bytes");
_Static_assert(offsetof(parigot_event, kind) == 0,
               "parigot_event.kind must be at offset 0");
_Static_assert(offsetof(parigot_event, handle) == 4,
               "parigot_event.handle must be at offset 4");
_Static_assert(offsetof(parigot_event, code) == 8,
               "parigot_event.code must be at offset 8");
_Static_assert(offsetof(parigot_event, service) == 12,
               "parigot_event.service must be at offset 12");
_Static_assert(offsetof(parigot_event, payload_offset) == 16,
               "parigot_event.payload_offset must be at offset 16");
_Static_assert(offsetof(parigot_event, payload_len) == 20,
               "parigot_event.payload_len must be at offset 20");
_Static_assert(offsetof(parigot_event, reserved) == 24,
               "parigot_event.reserved must be at offset 24");

/*
 * Returns a service handle for a name the program requires.
 *
 * Errors (returned negated): PARIGOT_E_NOT_PERMITTED,
 * PARIGOT_E_NO_SUCH_SERVICE, PARIGOT_E_BAD_ARGUMENT,
 * PARIGOT_E_WOULD_EXCEED_LIMIT, PARIGOT_E_SHUTTING_DOWN.
 */
__attribute__((import_module("parigot"), import_name("locate")))
int32_t parigot_locate(const void *name, int32_t name_len);

/*
 * Starts serving a name the program exports; returns its service handle. Calls
 * to it arrive as CALL events.
 *
 * Errors (returned negated): PARIGOT_E_NOT_PERMITTED, PARIGOT_E_BAD_ARGUMENT,
 * PARIGOT_E_ALREADY_EXPORTED, PARIGOT_E_WOULD_EXCEED_LIMIT,
 * PARIGOT_E_SHUTTING_DOWN.
 */
__attribute__((import_module("parigot"), import_name("export")))
int32_t parigot_export(const void *name, int32_t name_len);

/*
 * Starts a call and returns its channel handle at once. timeout_ms: -1 the
 * program's call_timeout_ms, 0 none, > 0 milliseconds. Results arrive as
 * PARTIAL events then one END or ERROR.
 *
 * Errors (returned negated): PARIGOT_E_BAD_HANDLE, PARIGOT_E_BAD_ARGUMENT,
 * PARIGOT_E_MESSAGE_TOO_BIG, PARIGOT_E_WOULD_EXCEED_LIMIT,
 * PARIGOT_E_SHUTTING_DOWN.
 */
__attribute__((import_module("parigot"), import_name("call")))
int32_t parigot_call(int32_t service, int32_t method, const void *req,
                     int32_t req_len, int64_t timeout_ms);

/*
 * Blocks until at least one event is pending or timeout_ms passes (-1 forever,
 * 0 poll); writes up to max_events (1..1024) records and their payloads;
 * returns how many (0 on timeout).
 *
 * Errors (returned negated): PARIGOT_E_BAD_ARGUMENT,
 * PARIGOT_E_BUFFER_TOO_SMALL.
 */
__attribute__((import_module("parigot"), import_name("wait")))
int32_t parigot_wait(parigot_event *events, int32_t max_events, void *buf,
                     int32_t buf_len, int64_t timeout_ms);

/*
 * Answers an incoming call: flags REPLY_PARTIAL sends a partial result,
 * REPLY_END the last one and releases the call id.
 *
 * Errors (returned negated): PARIGOT_E_BAD_HANDLE, PARIGOT_E_BAD_ARGUMENT,
 * PARIGOT_E_CANCELLED, PARIGOT_E_MESSAGE_TOO_BIG.
 */
__attribute__((import_module("parigot"), import_name("reply")))
int32_t parigot_reply(int32_t call_id, int32_t flags, const void *ptr,
                      int32_t len);

/*
 * Ends an incoming call with an application error: code > 0 and a message.
 * Releases the call id.
 *
 * Errors (returned negated): PARIGOT_E_BAD_HANDLE, PARIGOT_E_BAD_ARGUMENT,
 * PARIGOT_E_CANCELLED, PARIGOT_E_MESSAGE_TOO_BIG.
 */
__attribute__((import_module("parigot"), import_name("fail")))
int32_t parigot_fail(int32_t call_id, int32_t code, const void *msg,
                     int32_t msg_len);

/*
 * Cancels an open channel (the provider sees CANCEL) or stops a worker.
 * Releases the handle; no further event arrives for it.
 *
 * Errors (returned negated): PARIGOT_E_BAD_HANDLE.
 */
__attribute__((import_module("parigot"), import_name("cancel")))
int32_t parigot_cancel(int32_t handle);

/*
 * Starts a worker: a new instance of this module, with its own memory and
 * thread, running the exported () -> () function entry. Returns the worker
 * handle.
 *
 * Errors (returned negated): PARIGOT_E_NO_SUCH_SERVICE, PARIGOT_E_BAD_ARGUMENT,
 * PARIGOT_E_MESSAGE_TOO_BIG, PARIGOT_E_WOULD_EXCEED_LIMIT,
 * PARIGOT_E_SHUTTING_DOWN.
 */
__attribute__((import_module("parigot"), import_name("spawn")))
int32_t parigot_spawn(const void *entry, int32_t entry_len, const void *arg,
                      int32_t arg_len);

/*
 * Sends a message to the other end of a worker link; it arrives there as a
 * MESSAGE event.
 *
 * Errors (returned negated): PARIGOT_E_BAD_HANDLE, PARIGOT_E_MESSAGE_TOO_BIG,
 * PARIGOT_E_WOULD_EXCEED_LIMIT, PARIGOT_E_PROVIDER_DIED.
 */
__attribute__((import_module("parigot"), import_name("send")))
int32_t parigot_send(int32_t handle, const void *ptr, int32_t len);

/* Ends the calling process with an exit code. Does not return. */
__attribute__((import_module("parigot"), import_name("exit")))
_Noreturn void parigot_exit(int32_t code);

/*
 * What an error means: err is a PARIGOT_E_ number, negated or not. Returns
 * "unknown error" for any other number.
 */
static inline const char *parigot_strerror(int32_t err) {
  switch (err < 0 ? -(int64_t)err : (int64_t)err) {
    case PARIGOT_E_NOT_PERMITTED:
      return "The program's manifest does not grant this name.";
    case PARIGOT_E_NO_SUCH_SERVICE:
      return "Nothing serves this name (at locate, or as a call's ERROR once"
             " its provider was removed), or the worker entry is not an"
             " exported () -> () function.";
    case PARIGOT_E_TIMED_OUT:
      return "The call's deadline passed.";
    case PARIGOT_E_CANCELLED:
      return "The call was cancelled; a reply to it is refused.";
    case PARIGOT_E_PROVIDER_DIED:
      return "The process serving the call, or the worker, died before"
             " answering.";
    case PARIGOT_E_MESSAGE_TOO_BIG:
      return "A request, reply or message is larger than the program's"
             " max_message_bytes.";
    case PARIGOT_E_WOULD_EXCEED_LIMIT:
      return "The call would exceed max_inflight, max_workers or the handle"
             " table, or the receiving process has too much unread in its"
             " queue.";
    case PARIGOT_E_BAD_ARGUMENT:
      return "A scalar argument is out of range (bad flags, negative count,"
             " malformed name, ...).";
    case PARIGOT_E_BAD_HANDLE:
      return "The handle is not open in this process, or is of the wrong kind.";
    case PARIGOT_E_BUFFER_TOO_SMALL:
      return "wait: the first event's payload does not fit the buffer; its"
             " size is in events[0].payload_len and nothing was consumed.";
    case PARIGOT_E_ALREADY_EXPORTED:
      return "This process already serves that name.";
    case PARIGOT_E_SHUTTING_DOWN:
      return "The kernel is stopping.";
    default:
      return "unknown error";
  }
}

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_ABI_H */
