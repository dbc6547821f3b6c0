/*
 * parigot.h: the C runtime of the Parigot SDK, and its API reference.
 *
 * It sits on the raw ABI binding (parigot_abi.h, see docs/abi.md) and gives
 * a C program one event loop that owns the only blocking call, parigot_wait,
 * and routes each event to whoever waits for it:
 *
 *   - calls you make return a pg_future; its result arrives later, and you
 *     either pg_await it (the loop runs, serving incoming calls meanwhile)
 *     or register a callback with pg_future_on_done;
 *   - calls you serve arrive at the handler you gave pg_serve, as a pg_call
 *     that you answer now or later;
 *   - workers you start with pg_spawn talk back through callbacks.
 *
 * A process is single-threaded and has one loop, pg_loop_default(). Every
 * callback runs on that loop, from inside pg_run, pg_run_once or one of the
 * pg_await functions, never behind your back. Callbacks may call anything
 * here, including the pg_await functions: the loop then runs nested, and
 * later events (another call, the next message on the same link, the next
 * partial of the same call) are dispatched before the awaiting callback
 * returns. Events are always dispatched in the order they arrived.
 *
 * Statuses: 0 is success; a negative value is a kernel errno
 * (-PARIGOT_E_...) or an SDK error (PG_E_...); a positive value is an
 * application error code chosen by the service that failed the call.
 * pg_strerror turns any of them into text.
 *
 * Ownership in one sentence: the runtime copies every payload it hands out
 * that must outlive a callback, and every pointer it returns stays valid for
 * as long as the comment on it says, no longer.
 *
 * Build with sdk/c/parigot-cc (or sdk/c/parigot.mk); see sdk/c/README.md.
 */
#ifndef PARIGOT_H
#define PARIGOT_H

#include <stdint.h>

#include "parigot_abi.h"
#include "parigot_wire.h" /* pg_bytes, pg_arena and the PG_E_ statuses */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- bytes and statuses ---- */

/*
 * The application code the runtime fails an incoming call with when it
 * cannot hand it to a handler (out of memory, or no handler for the service).
 * Services should choose their own codes below it.
 */
#define PG_CODE_UNAVAILABLE INT32_MAX

/* The bytes of a NUL-terminated string, without the NUL. */
pg_bytes pg_str(const char *s);

/*
 * What a status means, as a short lowercase phrase: "ok", "timed out",
 * "not permitted", "out of memory", "application error 7", ... The text for
 * an application code or an unknown number lives in a buffer that the next
 * such call overwrites.
 */
const char *pg_strerror(int32_t status);

/* ---- the loop ---- */

typedef struct pg_loop pg_loop;

/*
 * The process's loop. It owns the event records and the payload buffer that
 * parigot_wait fills; the buffer starts small and grows whenever the kernel
 * reports BUFFER_TOO_SMALL, so no payload is ever truncated or dropped. Never
 * NULL: the loop is static, its buffers are allocated on the first wait.
 */
pg_loop *pg_loop_default(void);

/*
 * Serves forever: waits for events and dispatches them. Returns 0 once
 * pg_stop was called (a pg_stop that came before pg_run makes it return at
 * once), or a negative status if waiting failed (PG_E_NOMEM when the payload
 * buffer cannot grow). Pending events stay queued for a later pg_run.
 */
int32_t pg_run(pg_loop *l);

/*
 * Dispatches the events of one wait: the rest of the current batch if a
 * nested call left one, or else what parigot_wait returns within timeout_ms
 * (-1 forever, 0 poll, > 0 milliseconds). Returns how many events it
 * dispatched (0 on timeout), or a negative status if waiting failed.
 */
int32_t pg_run_once(pg_loop *l, int64_t timeout_ms);

/* Makes pg_run return after the event being dispatched. */
void pg_stop(pg_loop *l);

/* ---- calling services ---- */

typedef struct pg_future pg_future;
typedef struct pg_call pg_call; /* an incoming call: see "serving" */

/* A finished call. */
typedef struct pg_result {
  /* 0 ok, < 0 a kernel or SDK error, > 0 the service's application code. */
  int32_t status;
  /*
   * The END payload, or the error message (the kernel's or the service's;
   * empty for errors the runtime detected itself, see pg_strerror). A NUL
   * byte follows it, not counted in len, so text can be printed with %s.
   * Valid until the future is freed.
   */
  pg_bytes data;
} pg_result;

/*
 * Looks up a service name the manifest lists under requires. Returns 0 and
 * stores its handle in *service_out, or -errno: -PARIGOT_E_NOT_PERMITTED
 * when the manifest does not grant the name, -PARIGOT_E_NO_SUCH_SERVICE when
 * nothing serves it, -PARIGOT_E_BAD_ARGUMENT for a malformed name.
 */
int32_t pg_locate(const char *name, int32_t *service_out);

/*
 * pg_call(l, service, method, req, timeout_ms) calls a method of a located
 * service with a request (copied before this returns).
 *
 * The function is pg_invoke: C cannot have a function and a type both named
 * pg_call, and pg_call is also the type of an incoming call (below). The
 * function-like macro keeps both spellings, since it only expands where
 * pg_call is followed by "(".
 *
 * timeout_ms: -1 (PARIGOT_TIMEOUT_DEFAULT) the manifest's
 * call_timeout_ms, 0 (PARIGOT_TIMEOUT_NONE) none, > 0 milliseconds; when it
 * passes the future fails with -PARIGOT_E_TIMED_OUT.
 *
 * Never returns NULL: an error detected at once (bad handle, request too big,
 * too many calls in flight, out of memory) completes the future at once with
 * that status. Free it with pg_future_free.
 */
pg_future *pg_invoke(pg_loop *l, int32_t service, int32_t method, pg_bytes req,
                     int64_t timeout_ms);
/* Variadic, so a compound literal's commas need no extra parentheses. */
#define pg_call(...) pg_invoke(__VA_ARGS__)

/*
 * An already-failed future with this status, for code that must return a
 * future but failed before it could call (an encoding error, say). If even
 * that cannot be allocated, its status is PG_E_NOMEM instead.
 */
pg_future *pg_future_failed(pg_loop *l, int32_t status);

/* The result once the future is done; NULL while it is pending. */
const pg_result *pg_future_result(const pg_future *f);

/*
 * Runs fn(f, ctx) when f completes, from the loop, after the result is set;
 * at once if f is already done. One callback per future: a second call
 * replaces the first. fn may free f.
 */
void pg_future_on_done(pg_future *f, void (*fn)(pg_future *f, void *ctx),
                       void *ctx);

/*
 * Partial results (a streaming service sends zero or more before its END)
 * are kept on the future in arrival order by default; read them with
 * pg_future_partial_count / pg_future_partial. After pg_future_on_partial,
 * later ones go to fn instead, as they arrive; the bytes passed to fn are
 * valid until fn returns. fn may free f. Partials that arrived before the
 * callback was set stay where they are.
 */
void pg_future_on_partial(pg_future *f,
                          void (*fn)(pg_future *f, pg_bytes partial, void *ctx),
                          void *ctx);
uint32_t pg_future_partial_count(const pg_future *f);
/* The i-th kept partial (i < count); valid until the future is freed. */
pg_bytes pg_future_partial(const pg_future *f, uint32_t i);

/*
 * A decoder for one message type, as generated code adapts T_decode to it:
 * decodes buf[0..len) into *out, taking memory from a.
 */
typedef int32_t (*pg_decode_fn)(void *out, const uint8_t *buf, uint32_t len, pg_arena *a);

/*
 * Decodes f's END payload with decode into *out, in memory the future owns:
 * the decoded message (its repeated fields and nested messages, and its
 * strings, which point into the result) is valid until f is freed. That
 * memory grows until the message fits, so PG_E_NOMEM means the process is out
 * of memory. A later decode of the same future reuses it. Returns 0;
 * PG_E_NOT_DONE while f is pending; f's status if the call failed (< 0 a
 * kernel or SDK error, > 0 the service's application code); or PG_E_DECODE.
 * Generated S_M_result functions call it when given no arena.
 */
int32_t pg_future_decode(pg_future *f, pg_decode_fn decode, void *out);

/*
 * Runs the loop (serving incoming calls, running callbacks) until f is done,
 * and returns its status. If waiting fails first it returns that negative
 * status and f is still pending (pg_future_result(f) is NULL). Events that
 * arrive after f completes stay queued for the next run of the loop.
 */
int32_t pg_await(pg_loop *l, pg_future *f);

/*
 * Runs the loop until every future in fs is done. Returns 0 if all
 * succeeded, else the status of the first one (in array order) that did not,
 * or a negative status if waiting failed. -PARIGOT_E_BAD_ARGUMENT if an
 * entry is NULL.
 */
int32_t pg_await_all(pg_loop *l, pg_future **fs, uint32_t n);

/*
 * Runs the loop until at least one future in fs is done; stores the lowest
 * index of a done future in *index and returns its status (or a negative
 * status if waiting failed). -PARIGOT_E_BAD_ARGUMENT if n is 0 or an entry is
 * NULL.
 */
int32_t pg_await_any(pg_loop *l, pg_future **fs, uint32_t n, uint32_t *index);

/*
 * Cancels a pending call: the provider is told (its call ends with
 * CANCELLED), and f completes at once with -PARIGOT_E_CANCELLED, running its
 * done callback. Returns 0, or -PARIGOT_E_BAD_HANDLE if f was already done
 * (its result stands).
 */
int32_t pg_future_cancel(pg_future *f);

/*
 * Frees a future and its result. A pending future is cancelled first (the
 * provider is told; no callback runs). Freeing a future that a pg_await up
 * the stack waits for is safe: that await returns -PARIGOT_E_CANCELLED and
 * the memory goes when it returns. NULL is ignored.
 */
void pg_future_free(pg_future *f);

/* ---- serving ---- */

/*
 * An incoming call. It stays valid until it is answered (pg_call_end or
 * pg_call_fail) or cancelled, and after that until control returns to the
 * loop (the handler or callback that answered it returns): so a handler may
 * keep the pointer and answer from a later callback, and a second answer
 * still gets a clean -PARIGOT_E_BAD_HANDLE instead of touching freed memory.
 */
/*
 * Handles one incoming call. request is the call's own copy: valid until the
 * call is answered or cancelled (also from pg_call_request). Returning
 * without answering is fine: answer later.
 */
typedef void (*pg_handler_fn)(pg_call *call, int32_t method, pg_bytes request,
                              void *ctx);

/*
 * Exports a name the manifest lists under exports and routes its calls to fn
 * (with ctx). The kernel starts the programs that require the name once the
 * process has exported all its names; calls are handled while the loop runs.
 * Returns 0 or -errno (-PARIGOT_E_NOT_PERMITTED, -PARIGOT_E_ALREADY_EXPORTED,
 * ... ), or PG_E_NOMEM.
 */
int32_t pg_serve(pg_loop *l, const char *name, pg_handler_fn fn, void *ctx);

/* The method number and request of a call. */
int32_t pg_call_method(const pg_call *c);
pg_bytes pg_call_request(const pg_call *c);

/*
 * Sends a partial result; the call stays open. Returns 0, or
 * -PARIGOT_E_CANCELLED if the caller gave up (the cancel callback follows),
 * -PARIGOT_E_MESSAGE_TOO_BIG (the call stays open), -PARIGOT_E_BAD_HANDLE if
 * the call was already answered or cancelled.
 */
int32_t pg_call_partial(pg_call *c, pg_bytes data);

/* Sends the last result and ends the call. Returns as pg_call_partial. */
int32_t pg_call_end(pg_call *c, pg_bytes data);

/*
 * Ends the call with an application error: code > 0 (else
 * -PARIGOT_E_BAD_ARGUMENT) and a message (NULL for none). Returns as
 * pg_call_partial.
 */
int32_t pg_call_fail(pg_call *c, int32_t code, const char *msg);

/*
 * Runs fn(c, why, ctx) if the call ends before it is answered: the caller
 * cancelled (-PARIGOT_E_CANCELLED), timed out (-PARIGOT_E_TIMED_OUT) or died
 * (-PARIGOT_E_PROVIDER_DIED...). After fn the call is gone: drop the pointer.
 */
void pg_call_on_cancel(pg_call *c, void (*fn)(pg_call *c, int32_t why, void *ctx),
                       void *ctx);

/* ---- workers ---- */

/*
 * A worker is a new instance of this same module, with its own memory and
 * thread, that runs an exported entry function instead of main:
 *
 *   __attribute__((export_name("resize"))) void resize(void) { ... }
 *
 * It has the manifest grants of its parent except exporting, and it dies
 * with its parent. Parent and worker exchange messages over a link, named by
 * a handle on each side.
 */

/* Called on the loop for each message from the other end of a link. The
 * bytes are valid until fn returns. */
typedef void (*pg_message_fn)(int32_t link, pg_bytes msg, void *ctx);
/* Called on the loop when a worker ended: code is its exit code (0 when its
 * entry returned), or -PARIGOT_E_PROVIDER_DIED if it was killed. */
typedef void (*pg_exit_fn)(int32_t link, int32_t code, void *ctx);

/*
 * Starts a worker running the exported function entry, with arg (its first
 * message, see pg_worker_arg). Its messages go to on_message and its end to
 * on_exit (either may be NULL), both with ctx. Returns 0 and stores the link
 * in *worker_out, or -errno (-PARIGOT_E_NO_SUCH_SERVICE when entry is not an
 * exported void(void) function, -PARIGOT_E_WOULD_EXCEED_LIMIT past
 * max_workers, ...), or PG_E_NOMEM.
 */
int32_t pg_spawn(pg_loop *l, const char *entry, pg_bytes arg,
                 pg_message_fn on_message, pg_exit_fn on_exit, void *ctx,
                 int32_t *worker_out);

/*
 * Sends a message over a link (either side; copied before this returns).
 * Returns 0 or -errno: -PARIGOT_E_PROVIDER_DIED when the other end ended,
 * -PARIGOT_E_WOULD_EXCEED_LIMIT when it has too much unread.
 */
int32_t pg_send(int32_t link, pg_bytes msg);

/* Kills a worker this process started. No exit callback follows. Returns 0
 * or -PARIGOT_E_BAD_HANDLE. */
int32_t pg_worker_stop(pg_loop *l, int32_t worker);

/*
 * In a worker: runs the loop until the spawn argument arrives and stores it
 * in *arg (the bytes stay valid for the worker's life). Returns the link to
 * the parent (> 0, for pg_send) or a negative status. Call it once, first;
 * in a process that is not a worker it never returns.
 */
int32_t pg_worker_arg(pg_loop *l, pg_bytes *arg);

/*
 * In a worker: routes the parent's later messages to fn. Messages that
 * arrive while no callback is set are logged and dropped, so set it right
 * after pg_worker_arg, before the loop runs again.
 */
void pg_worker_on_message(pg_loop *l, pg_message_fn fn, void *ctx);

/* ---- time ---- */

/*
 * Sleeps, timers and the clocks come from the kernel's clock service, so a
 * program that uses them must list it under requires in its manifest:
 *
 *   requires = ["parigot.clock.v1.Clock"]
 *
 * Without that grant pg_sleep and pg_timer return a future already failed
 * with -PARIGOT_E_NOT_PERMITTED ("not permitted"), and pg_now returns it.
 * Durations run on the kernel's monotonic clock.
 */
#define PG_CLOCK_SERVICE "parigot.clock.v1.Clock"

/*
 * A future that completes with status 0 once millis milliseconds have
 * passed (0: at the next turn of the loop), never before. Await it, or give
 * it a pg_future_on_done callback, like any call. pg_future_cancel stops it
 * (it completes with -PARIGOT_E_CANCELLED) and pg_future_free cancels it if
 * pending. millis must be 0 to 31536000000 (a year): otherwise the clock
 * fails it with application code PG_STATUS_INVALID_ARGUMENT (3). Never NULL.
 */
pg_future *pg_sleep(pg_loop *l, int64_t millis);

/*
 * Once a pg_sleep future is done: 0 and the monotonic time the sleep ended
 * (nanoseconds; monotonic_nanos may be NULL), or the future's failure status,
 * PG_E_NOT_DONE while pending, PG_E_DECODE for a malformed reply.
 */
int32_t pg_sleep_result(const pg_future *f, int64_t *monotonic_nanos);

/* One tick of a pg_timer. */
typedef struct pg_tick {
  int64_t seq;             /* 1 for the first tick, then 2, 3, ... */
  int64_t monotonic_nanos; /* the kernel's monotonic time of the tick */
  int64_t unix_nanos;      /* wall time of the tick, nanoseconds since the Unix epoch */
} pg_tick;

/* Called on the loop for each tick; tick is valid until fn returns. fn may
 * cancel or free the timer. */
typedef void (*pg_tick_fn)(pg_future *timer, const pg_tick *tick, void *ctx);

/*
 * Starts a timer: fn(timer, tick, ctx) runs every period_ms milliseconds (at
 * a fixed rate: period, 2 x period, ... after the start) while the loop runs,
 * until count ticks were delivered (count 0: until cancelled). The timer is
 * a future: it completes with 0 after the count-th tick, or with the status
 * that stopped it (-PARIGOT_E_CANCELLED after pg_future_cancel). Stop it with
 * pg_future_cancel (no tick follows) or pg_future_free. A tick the process
 * does not take in time (its queue is full) ends the timer with an error.
 * period_ms must be 1 to 31536000000 and count >= 0, otherwise the clock
 * fails it with PG_STATUS_INVALID_ARGUMENT (3). Never NULL.
 */
pg_future *pg_timer(pg_loop *l, int64_t period_ms, int64_t count, pg_tick_fn fn, void *ctx);

/*
 * Reads the kernel's clocks: wall time (nanoseconds since the Unix epoch; it
 * follows the host and may jump) and monotonic time (nanoseconds from an
 * arbitrary origin; never goes back: measure durations with it). Either
 * pointer may be NULL. It awaits the clock service, so the loop runs (and
 * dispatches other events) meanwhile. Returns 0 or the failed call's status.
 */
int32_t pg_now(pg_loop *l, int64_t *unix_nanos, int64_t *monotonic_nanos);

/* ---- scratch space and logging ---- */

/*
 * A scratch buffer of at least size bytes for encoding a request or reply,
 * valid until the next pg_scratch call (its contents are not kept). NULL if
 * out of memory. Generated stubs encode into it, so never pass them data
 * that lives in it.
 */
void *pg_scratch(uint32_t size);

enum { PG_LOG_DEBUG = 0, PG_LOG_INFO = 1, PG_LOG_WARN = 2, PG_LOG_ERROR = 3 };

/*
 * The kernel's log service, which stores records for `parigot logs` and shows
 * those of level INFO and above next to the program's output.
 */
#define PG_LOG_SERVICE "parigot.log.v1.Log"

/*
 * Logs one record (printf formatting). Messages below the threshold
 * (PG_LOG_INFO unless changed with pg_log_threshold) are skipped.
 *
 * After pg_log_to_service succeeded, the record goes to the log service
 * (levels DEBUG to ERROR map to the service's), which tags it with the
 * process and the time; a message over 8192 bytes is cut to that. Until then
 * it is written as the line "level: message" to stderr, which the kernel tags
 * with the process.
 *
 * pg_log never runs the loop: records go to the service one at a time, in the
 * order they were logged (the next when the loop handles the previous one's
 * answer), so the service stores them in that order. At exit (main returning
 * or exit()), the runtime waits up to five seconds for those still due. A record
 * the service refuses (an empty message, invalid UTF-8, ...) or that cannot
 * be sent is written to stderr instead, with the reason.
 *
 * The runtime itself logs unexpected events at PG_LOG_WARN and above.
 */
void pg_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Sends pg_log's records to PG_LOG_SERVICE from now on. Returns 0, or
 * -PARIGOT_E_NOT_PERMITTED if the manifest does not require the service (the
 * kernel counts and logs that denial, so call this only in a program that
 * requires it; the runtime never probes on its own). Calling it again is a
 * no-op.
 */
int32_t pg_log_to_service(void);
void pg_log_threshold(int level);

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_H */
