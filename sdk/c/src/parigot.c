/*
 * parigot.c: the C runtime of the Parigot SDK. The API and its guarantees
 * are documented in parigot.h; this file says how they are kept.
 *
 * One loop per process owns parigot_wait. Every handle the runtime opens
 * (channel, call id, export, worker link) is a key in one hash table, since
 * the kernel numbers them from one counter and never reuses a number; the
 * table maps each to the object its events belong to.
 *
 * Re-entrancy is the subtle part: any callback may run the loop again (a
 * handler that awaits a call of its own). So:
 *   - the loop consumes the batch parigot_wait returned one event at a time
 *     from a cursor in the loop itself, and a nested run simply continues
 *     the same batch before it waits again;
 *   - payloads handed to a callback point into the wait buffer, so a nested
 *     wait while such a callback runs (the buffer is "pinned") retires that
 *     buffer and fills a fresh one; a retired buffer is freed when the last
 *     callback reading it returns;
 *   - answered and cancelled calls are freed only when no callback runs
 *     ("depth" == 0), so the code that answered one can still look at it.
 */
#include "parigot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Event records per wait. More pending events simply stay queued in the
 * kernel for the next wait. */
#define EVENTS 64
/* The first payload buffer. It grows on BUFFER_TOO_SMALL. */
#define INITIAL_BUF 4096

/* ---- bytes ---- */

/* What an empty payload points at, so data is never NULL in a result. */
static const uint8_t EMPTY[1] = {0};

/* Copies bytes to the heap, NUL-terminated. Returns 0, or -1 if out of memory. */
static int copy_bytes(const uint8_t *p, uint32_t len, pg_bytes *out) {
  if (len == 0) {
    *out = (pg_bytes){EMPTY, 0};
    return 0;
  }
  if (len == UINT32_MAX) {
    return -1;
  }
  uint8_t *copy = malloc((size_t)len + 1);
  if (copy == NULL) {
    return -1;
  }
  memcpy(copy, p, len);
  copy[len] = 0;
  *out = (pg_bytes){copy, len};
  return 0;
}

static void free_bytes(pg_bytes b) {
  if (b.data != EMPTY && b.data != NULL) {
    free((void *)b.data);
  }
}

pg_bytes pg_str(const char *s) {
  size_t len = strlen(s);
  return (pg_bytes){(const uint8_t *)s, len < UINT32_MAX ? (uint32_t)len : UINT32_MAX};
}

/* ---- the handle table: open addressing, linear probing, backward-shift delete ---- */

enum kind { K_FUTURE = 1, K_CALL, K_EXPORT, K_WORKER };

typedef struct slot {
  int32_t key; /* 0: empty (handles are > 0) */
  uint8_t kind;
  void *val;
} slot;

typedef struct table {
  slot *slots;
  uint32_t cap; /* 0 or a power of two */
  uint32_t count;
} table;

static uint32_t home(const table *t, int32_t key) {
  return ((uint32_t)key * 2654435761u) & (t->cap - 1);
}

static slot *table_get(const table *t, int32_t key, uint8_t kind) {
  if (t->cap == 0 || key <= 0) {
    return NULL;
  }
  for (uint32_t i = home(t, key); t->slots[i].key != 0; i = (i + 1) & (t->cap - 1)) {
    if (t->slots[i].key == key) {
      return t->slots[i].kind == kind ? &t->slots[i] : NULL;
    }
  }
  return NULL;
}

/* Only after table_reserve, which guarantees a free slot. */
static void table_put(table *t, int32_t key, uint8_t kind, void *val) {
  uint32_t i = home(t, key);
  while (t->slots[i].key != 0) {
    i = (i + 1) & (t->cap - 1);
  }
  t->slots[i] = (slot){key, kind, val};
  t->count++;
}

/*
 * Makes room for one more entry, so that the table_put after a syscall that
 * opened a handle cannot fail: the handle is never left unrecorded. Keeps the
 * load at most 1/2. Returns 0, or -1 if out of memory.
 */
static int table_reserve(table *t) {
  if ((t->count + 1) * 2 <= t->cap) {
    return 0;
  }
  uint32_t cap = t->cap == 0 ? 16 : t->cap * 2;
  if (cap == 0 || cap > UINT32_MAX / sizeof(slot)) {
    return -1;
  }
  slot *old = t->slots;
  uint32_t old_cap = t->cap;
  t->slots = calloc(cap, sizeof(slot));
  if (t->slots == NULL) {
    t->slots = old;
    return -1;
  }
  t->cap = cap;
  t->count = 0;
  for (uint32_t i = 0; i < old_cap; i++) {
    if (old[i].key != 0) {
      table_put(t, old[i].key, old[i].kind, old[i].val);
    }
  }
  free(old);
  return 0;
}

static void table_remove(table *t, int32_t key) {
  if (t->cap == 0) {
    return;
  }
  uint32_t mask = t->cap - 1;
  uint32_t i = home(t, key);
  while (t->slots[i].key != key) {
    if (t->slots[i].key == 0) {
      return;
    }
    i = (i + 1) & mask;
  }
  /* Shift later members of the probe run back, so lookups never need tombstones. */
  for (uint32_t j = (i + 1) & mask; t->slots[j].key != 0; j = (j + 1) & mask) {
    uint32_t k = home(t, t->slots[j].key);
    /* Entry j may move to the hole at i unless its home lies cyclically in (i, j]. */
    int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      t->slots[i] = t->slots[j];
      i = j;
    }
  }
  t->slots[i] = (slot){0, 0, NULL};
  t->count--;
}

/* ---- the objects events are routed to ---- */

struct pg_future {
  pg_loop *loop;   /* NULL only for the static out-of-memory future */
  int32_t channel; /* > 0 while the call is open */
  int done;
  pg_result result;
  pg_bytes *partials; /* kept when no partial callback is set */
  uint32_t npartials, partials_cap;
  void (*on_done)(pg_future *f, void *ctx);
  void *done_ctx;
  void (*on_partial)(pg_future *f, pg_bytes partial, void *ctx);
  void *partial_ctx;
  uint8_t *arena; /* pg_future_decode's memory */
  uint32_t arena_cap;
  uint32_t awaiters; /* pg_await calls on the stack that wait for it */
  int free_pending;  /* freed while awaited: the last await frees it */
  pg_tick_fn tick_fn; /* a pg_timer's callback, and its context */
  void *tick_ctx;
};

/* What pg_call returns when even a future cannot be allocated. */
static pg_future OOM_FUTURE = {.done = 1, .result = {PG_E_NOMEM, {EMPTY, 0}}};

enum call_state { OPEN, ANSWERED, CANCELLED };

struct pg_call {
  pg_loop *loop;
  int32_t id;
  int32_t method;
  enum call_state state;
  void (*on_cancel)(pg_call *c, int32_t why, void *ctx);
  void *cancel_ctx;
  pg_call *next_dead; /* in the loop's list of calls to free */
  uint32_t request_len;
  uint8_t request[]; /* the request, copied; NUL-terminated */
};

typedef struct export {
  pg_handler_fn fn;
  void *ctx;
} export;

typedef struct worker {
  pg_message_fn on_message;
  pg_exit_fn on_exit;
  void *ctx;
} worker;

typedef struct retired {
  struct retired *next;
  uint8_t *buf;
  uint32_t pins; /* callbacks still reading it */
} retired;

struct pg_loop {
  table handles;
  parigot_event events[EVENTS];
  int32_t n, next; /* the current batch and the cursor into it */
  uint8_t *buf;
  uint32_t buf_len;
  uint32_t buf_pins; /* callbacks running that read buf */
  retired *retired;  /* older buffers callbacks still read */
  pg_call *dead;     /* answered or cancelled calls, freed when depth is 0 */
  uint32_t depth;    /* callbacks running */
  int stop;
  int dispatched; /* whether any event was dispatched yet */
  /* In a worker: the parent link (0 until the argument arrived) and what it sent. */
  int32_t parent;
  int arg_status; /* 0, or PG_E_NOMEM if the argument could not be kept */
  pg_bytes arg;
  pg_message_fn parent_fn;
  void *parent_ctx;
};

pg_loop *pg_loop_default(void) {
  static pg_loop loop;
  return &loop;
}

/* ---- waiting ---- */

/* Frees the answered and cancelled calls once no callback can see them. */
static void collect(pg_loop *l) {
  if (l->depth == 0) {
    while (l->dead != NULL) {
      pg_call *c = l->dead;
      l->dead = c->next_dead;
      free(c);
    }
  }
}

/* Marks the current buffer as read by a callback; returns it for unpin. */
static uint8_t *pin(pg_loop *l) {
  l->buf_pins++;
  return l->buf;
}

static void unpin(pg_loop *l, uint8_t *buf) {
  if (buf == l->buf) {
    l->buf_pins--;
    return;
  }
  for (retired **p = &l->retired; *p != NULL; p = &(*p)->next) {
    if ((*p)->buf == buf) {
      retired *r = *p;
      if (--r->pins == 0) {
        *p = r->next;
        free(r->buf);
        free(r);
      }
      return;
    }
  }
}

/*
 * Waits for the next batch into the loop's buffers. Returns the number of
 * events (0 on timeout) or a negative status. Call only when the current
 * batch is used up.
 */
static int32_t fill(pg_loop *l, int64_t timeout_ms) {
  collect(l);
  if (l->buf_pins > 0) {
    retired *r = malloc(sizeof *r);
    if (r == NULL) {
      return PG_E_NOMEM;
    }
    *r = (retired){l->retired, l->buf, l->buf_pins};
    l->retired = r;
    l->buf = NULL;
    l->buf_len = 0;
    l->buf_pins = 0;
  }
  if (l->buf == NULL) {
    l->buf = malloc(INITIAL_BUF);
    if (l->buf == NULL) {
      return PG_E_NOMEM;
    }
    l->buf_len = INITIAL_BUF;
  }
  for (;;) {
    int32_t n = parigot_wait(l->events, EVENTS, l->buf, (int32_t)l->buf_len, timeout_ms);
    if (n >= 0) {
      l->n = n;
      l->next = 0;
      return n;
    }
    if (n != -PARIGOT_E_BUFFER_TOO_SMALL) {
      return n;
    }
    /* Nothing was consumed: grow (at least double, so a run of growing
     * payloads reallocates rarely) and wait again. */
    uint32_t need = l->events[0].payload_len;
    if (need <= l->buf_len || need > INT32_MAX) {
      pg_log(PG_LOG_ERROR, "parigot: wait asked for %u bytes with %u available",
             (unsigned)need, (unsigned)l->buf_len);
      return n;
    }
    uint32_t len = l->buf_len <= INT32_MAX / 2 ? 2 * l->buf_len : INT32_MAX;
    if (len < need) {
      len = need;
    }
    /* No realloc: the old contents are not needed. */
    free(l->buf);
    l->buf = malloc(len);
    if (l->buf == NULL) {
      l->buf_len = 0;
      pg_log(PG_LOG_ERROR, "parigot: out of memory growing the event buffer to %u bytes",
             (unsigned)len);
      return PG_E_NOMEM;
    }
    l->buf_len = len;
  }
}

static pg_bytes payload(const pg_loop *l, const parigot_event *ev) {
  return (pg_bytes){l->buf + ev->payload_offset, ev->payload_len};
}

/* ---- futures ---- */

static void complete(pg_future *f, int32_t status, pg_bytes data) {
  f->done = 1;
  f->result.status = status;
  f->result.data = data;
  if (f->on_done != NULL) {
    pg_loop *l = f->loop;
    l->depth++;
    f->on_done(f, f->done_ctx); /* may free f */
    l->depth--;
  }
}

static pg_future *new_future(pg_loop *l) {
  pg_future *f = calloc(1, sizeof *f);
  if (f == NULL) {
    return &OOM_FUTURE;
  }
  f->loop = l;
  f->result.data = (pg_bytes){EMPTY, 0};
  return f;
}

pg_future *pg_future_failed(pg_loop *l, int32_t status) {
  pg_future *f = new_future(l);
  if (f != &OOM_FUTURE) {
    f->done = 1;
    f->result.status = status;
  }
  return f;
}

pg_future *pg_invoke(pg_loop *l, int32_t service, int32_t method, pg_bytes req,
                     int64_t timeout_ms) {
  pg_future *f = new_future(l);
  if (f == &OOM_FUTURE) {
    return f;
  }
  if (table_reserve(&l->handles) != 0) {
    f->done = 1;
    f->result.status = PG_E_NOMEM;
    return f;
  }
  if (req.len > INT32_MAX) {
    f->done = 1;
    f->result.status = -PARIGOT_E_MESSAGE_TOO_BIG;
    return f;
  }
  int32_t ch = parigot_call(service, method, req.data, (int32_t)req.len, timeout_ms);
  if (ch < 0) {
    f->done = 1;
    f->result.status = ch;
    return f;
  }
  f->channel = ch;
  table_put(&l->handles, ch, K_FUTURE, f);
  return f;
}

int32_t pg_locate(const char *name, int32_t *service_out) {
  size_t len = strlen(name);
  if (len > PARIGOT_MAX_NAME_LEN) {
    return -PARIGOT_E_BAD_ARGUMENT;
  }
  int32_t h = parigot_locate(name, (int32_t)len);
  if (h < 0) {
    return h;
  }
  *service_out = h;
  return 0;
}

const pg_result *pg_future_result(const pg_future *f) {
  return f->done ? &f->result : NULL;
}

/* The first size of a future's decoding memory: enough for most replies. */
#define FIRST_ARENA 256

int32_t pg_future_decode(pg_future *f, pg_decode_fn decode, void *out) {
  if (!f->done) {
    return PG_E_NOT_DONE;
  }
  if (f->result.status != 0) {
    return f->result.status;
  }
  /* How much a message needs is known only by decoding it: double the memory
   * until it fits, which costs little next to the call itself. */
  uint32_t cap = f->arena_cap > 0 ? f->arena_cap : FIRST_ARENA;
  for (;;) {
    if (cap > f->arena_cap) {
      free(f->arena);
      f->arena = malloc(cap);
      f->arena_cap = f->arena != NULL ? cap : 0;
      if (f->arena == NULL) {
        return PG_E_NOMEM;
      }
    }
    pg_arena a;
    pg_arena_init(&a, f->arena, f->arena_cap);
    int32_t rc = decode(out, f->result.data.data, f->result.data.len, &a);
    if (rc != PG_E_NOMEM || cap > UINT32_MAX / 2) {
      return rc;
    }
    cap *= 2;
  }
}

void pg_future_on_done(pg_future *f, void (*fn)(pg_future *f, void *ctx), void *ctx) {
  if (f == &OOM_FUTURE) {
    if (fn != NULL) {
      fn(f, ctx); /* shared: never store anything in it */
    }
    return;
  }
  f->on_done = fn;
  f->done_ctx = ctx;
  if (f->done && fn != NULL) {
    f->loop->depth++;
    fn(f, ctx);
    f->loop->depth--;
  }
}

void pg_future_on_partial(pg_future *f, void (*fn)(pg_future *f, pg_bytes partial, void *ctx),
                          void *ctx) {
  if (f == &OOM_FUTURE) {
    return; /* done: no partial will come */
  }
  f->on_partial = fn;
  f->partial_ctx = ctx;
}

uint32_t pg_future_partial_count(const pg_future *f) {
  return f->npartials;
}

pg_bytes pg_future_partial(const pg_future *f, uint32_t i) {
  return i < f->npartials ? f->partials[i] : (pg_bytes){EMPTY, 0};
}

/* Closes the channel of a pending future; the kernel sends nothing more for it. */
static void drop_channel(pg_future *f) {
  /* BAD_HANDLE here means the call's last event is already in the current
   * batch; with the table entry gone that event is skipped, so either way
   * nothing more reaches f. */
  (void)parigot_cancel(f->channel);
  table_remove(&f->loop->handles, f->channel);
  f->channel = 0;
}

int32_t pg_future_cancel(pg_future *f) {
  if (f->done) {
    return -PARIGOT_E_BAD_HANDLE;
  }
  drop_channel(f);
  complete(f, -PARIGOT_E_CANCELLED, (pg_bytes){EMPTY, 0});
  return 0;
}

static void destroy(pg_future *f) {
  free(f->arena);
  free_bytes(f->result.data);
  for (uint32_t i = 0; i < f->npartials; i++) {
    free_bytes(f->partials[i]);
  }
  free(f->partials);
  free(f);
}

void pg_future_free(pg_future *f) {
  if (f == NULL || f == &OOM_FUTURE) {
    return;
  }
  if (!f->done) {
    drop_channel(f);
    f->done = 1;
    f->result.status = -PARIGOT_E_CANCELLED;
  }
  if (f->awaiters > 0) {
    f->free_pending = 1;
    f->on_done = NULL;
    f->on_partial = NULL;
    return;
  }
  destroy(f);
}

/* Keeps a partial result on the future. Returns 0, or -1 if out of memory. */
static int keep_partial(pg_future *f, pg_bytes p) {
  if (f->npartials == f->partials_cap) {
    uint32_t cap = f->partials_cap == 0 ? 4 : f->partials_cap * 2;
    if (cap < f->partials_cap || cap > UINT32_MAX / sizeof(pg_bytes)) {
      return -1;
    }
    pg_bytes *grown = realloc(f->partials, cap * sizeof(pg_bytes));
    if (grown == NULL) {
      return -1;
    }
    f->partials = grown;
    f->partials_cap = cap;
  }
  if (copy_bytes(p.data, p.len, &f->partials[f->npartials]) != 0) {
    return -1;
  }
  f->npartials++;
  return 0;
}

/* Done with an error the runtime found itself; the provider is told. */
static void fail_locally(pg_future *f, int32_t status) {
  drop_channel(f);
  complete(f, status, (pg_bytes){EMPTY, 0});
}

static void on_partial_event(pg_loop *l, const parigot_event *ev) {
  slot *s = table_get(&l->handles, ev->handle, K_FUTURE);
  if (s == NULL) {
    return; /* cancelled or freed after the kernel had delivered this */
  }
  pg_future *f = s->val;
  pg_bytes p = payload(l, ev);
  if (f->on_partial != NULL) {
    uint8_t *buf = pin(l);
    l->depth++;
    f->on_partial(f, p, f->partial_ctx);
    l->depth--;
    unpin(l, buf);
  } else if (keep_partial(f, p) != 0) {
    /* Losing a partial silently would corrupt the result: fail the call. */
    pg_log(PG_LOG_ERROR, "parigot: out of memory keeping a partial result; call failed");
    fail_locally(f, PG_E_NOMEM);
  }
}

static void on_final_event(pg_loop *l, const parigot_event *ev) {
  slot *s = table_get(&l->handles, ev->handle, K_FUTURE);
  if (s == NULL) {
    return;
  }
  pg_future *f = s->val;
  table_remove(&l->handles, ev->handle); /* reading END or ERROR released it */
  f->channel = 0;
  int32_t status = ev->kind == PARIGOT_EVENT_END ? 0 : ev->code;
  pg_bytes data;
  if (copy_bytes(l->buf + ev->payload_offset, ev->payload_len, &data) != 0) {
    pg_log(PG_LOG_ERROR, "parigot: out of memory keeping a %u-byte result; call failed",
           (unsigned)ev->payload_len);
    status = PG_E_NOMEM;
    data = (pg_bytes){EMPTY, 0};
  }
  complete(f, status, data);
}

/* ---- serving ---- */

int32_t pg_serve(pg_loop *l, const char *name, pg_handler_fn fn, void *ctx) {
  size_t len = strlen(name);
  if (len > PARIGOT_MAX_NAME_LEN) {
    return -PARIGOT_E_BAD_ARGUMENT;
  }
  export *e = malloc(sizeof *e);
  if (e == NULL || table_reserve(&l->handles) != 0) {
    free(e);
    return PG_E_NOMEM;
  }
  *e = (export){fn, ctx};
  int32_t h = parigot_export(name, (int32_t)len);
  if (h < 0) {
    free(e);
    return h;
  }
  table_put(&l->handles, h, K_EXPORT, e);
  return 0;
}

int32_t pg_call_method(const pg_call *c) {
  return c->method;
}

pg_bytes pg_call_request(const pg_call *c) {
  return (pg_bytes){c->request, c->request_len};
}

/* Queues an answered or cancelled call to be freed once no callback runs. */
static void bury(pg_call *c) {
  table_remove(&c->loop->handles, c->id);
  c->next_dead = c->loop->dead;
  c->loop->dead = c;
}

/* Ends the call with what the kernel answered to its final reply or fail. */
static int32_t finished(pg_call *c, int32_t rc) {
  /* BAD_HANDLE: the id is gone in the kernel (answered through the raw ABI);
   * it is gone here too. CANCELLED: the CANCEL event that follows ends it. */
  if (rc == 0 || rc == -PARIGOT_E_BAD_HANDLE) {
    c->state = ANSWERED;
    bury(c);
  }
  return rc;
}

int32_t pg_call_partial(pg_call *c, pg_bytes data) {
  if (c->state != OPEN) {
    return -PARIGOT_E_BAD_HANDLE;
  }
  if (data.len > INT32_MAX) {
    return -PARIGOT_E_MESSAGE_TOO_BIG;
  }
  return parigot_reply(c->id, PARIGOT_REPLY_PARTIAL, data.data, (int32_t)data.len);
}

int32_t pg_call_end(pg_call *c, pg_bytes data) {
  if (c->state != OPEN) {
    return -PARIGOT_E_BAD_HANDLE;
  }
  if (data.len > INT32_MAX) {
    return -PARIGOT_E_MESSAGE_TOO_BIG;
  }
  return finished(c, parigot_reply(c->id, PARIGOT_REPLY_END, data.data, (int32_t)data.len));
}

int32_t pg_call_fail(pg_call *c, int32_t code, const char *msg) {
  if (c->state != OPEN) {
    return -PARIGOT_E_BAD_HANDLE;
  }
  pg_bytes m = msg != NULL ? pg_str(msg) : (pg_bytes){EMPTY, 0};
  if (m.len > INT32_MAX) {
    return -PARIGOT_E_MESSAGE_TOO_BIG;
  }
  int32_t rc = parigot_fail(c->id, code, m.data, (int32_t)m.len);
  return rc == -PARIGOT_E_BAD_ARGUMENT ? rc : finished(c, rc);
}

void pg_call_on_cancel(pg_call *c, void (*fn)(pg_call *c, int32_t why, void *ctx), void *ctx) {
  c->on_cancel = fn;
  c->cancel_ctx = ctx;
}

/* Fails a call the runtime cannot hand to a handler. */
static void refuse(int32_t id, const char *why) {
  pg_log(PG_LOG_WARN, "parigot: refusing call %d: %s", (int)id, why);
  int32_t rc = parigot_fail(id, PG_CODE_UNAVAILABLE, why, (int32_t)strlen(why));
  if (rc < 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "parigot: fail(call %d): %s", (int)id, pg_strerror(rc));
  }
}

static void on_call_event(pg_loop *l, const parigot_event *ev) {
  slot *s = table_get(&l->handles, ev->service, K_EXPORT);
  if (s == NULL) {
    refuse(ev->handle, "no handler serves this name");
    return;
  }
  export *e = s->val;
  pg_call *c = malloc(sizeof *c + (size_t)ev->payload_len + 1);
  if (c == NULL || table_reserve(&l->handles) != 0) {
    free(c);
    refuse(ev->handle, "out of memory");
    return;
  }
  *c = (pg_call){.loop = l, .id = ev->handle, .method = ev->code, .state = OPEN,
                 .request_len = ev->payload_len};
  memcpy(c->request, l->buf + ev->payload_offset, ev->payload_len);
  c->request[ev->payload_len] = 0;
  table_put(&l->handles, c->id, K_CALL, c);
  l->depth++;
  e->fn(c, c->method, pg_call_request(c), e->ctx);
  l->depth--;
}

static void on_cancel_event(pg_loop *l, const parigot_event *ev) {
  slot *s = table_get(&l->handles, ev->handle, K_CALL);
  if (s == NULL) {
    return;
  }
  pg_call *c = s->val;
  c->state = CANCELLED;
  bury(c);
  if (c->on_cancel != NULL) {
    l->depth++;
    c->on_cancel(c, ev->code, c->cancel_ctx);
    l->depth--;
  }
}

/* ---- workers ---- */

static int32_t step(pg_loop *l, int64_t timeout_ms);

int32_t pg_spawn(pg_loop *l, const char *entry, pg_bytes arg, pg_message_fn on_message,
                 pg_exit_fn on_exit, void *ctx, int32_t *worker_out) {
  size_t len = strlen(entry);
  if (len > PARIGOT_MAX_NAME_LEN) {
    return -PARIGOT_E_BAD_ARGUMENT;
  }
  if (arg.len > INT32_MAX) {
    return -PARIGOT_E_MESSAGE_TOO_BIG;
  }
  worker *w = malloc(sizeof *w);
  if (w == NULL || table_reserve(&l->handles) != 0) {
    free(w);
    return PG_E_NOMEM;
  }
  *w = (worker){on_message, on_exit, ctx};
  int32_t link = parigot_spawn(entry, (int32_t)len, arg.data, (int32_t)arg.len);
  if (link < 0) {
    free(w);
    return link;
  }
  table_put(&l->handles, link, K_WORKER, w);
  *worker_out = link;
  return 0;
}

int32_t pg_send(int32_t link, pg_bytes msg) {
  if (msg.len > INT32_MAX) {
    return -PARIGOT_E_MESSAGE_TOO_BIG;
  }
  return parigot_send(link, msg.data, (int32_t)msg.len);
}

int32_t pg_worker_stop(pg_loop *l, int32_t link) {
  slot *s = table_get(&l->handles, link, K_WORKER);
  if (s == NULL) {
    return -PARIGOT_E_BAD_HANDLE;
  }
  worker *w = s->val;
  /* BAD_HANDLE: it ended and its EXIT is in the current batch, which is
   * skipped now that the link is gone here too. */
  (void)parigot_cancel(link);
  table_remove(&l->handles, link);
  free(w);
  return 0;
}

int32_t pg_worker_arg(pg_loop *l, pg_bytes *arg) {
  /* One event at a time: the parent's next message may follow in the same
   * batch, and must wait for pg_worker_on_message. */
  while (l->parent == 0) {
    int32_t rc = step(l, PARIGOT_TIMEOUT_DEFAULT);
    if (rc < 0) {
      return rc;
    }
  }
  if (l->arg_status != 0) {
    return l->arg_status;
  }
  *arg = l->arg;
  return l->parent;
}

void pg_worker_on_message(pg_loop *l, pg_message_fn fn, void *ctx) {
  l->parent_fn = fn;
  l->parent_ctx = ctx;
}

static void deliver_message(pg_loop *l, pg_message_fn fn, void *ctx, const parigot_event *ev) {
  if (fn == NULL) {
    pg_log(PG_LOG_WARN, "parigot: no message callback for link %d; %u-byte message dropped",
           (int)ev->handle, (unsigned)ev->payload_len);
    return;
  }
  uint8_t *buf = pin(l);
  l->depth++;
  fn(ev->handle, payload(l, ev), ctx);
  l->depth--;
  unpin(l, buf);
}

/* first: whether this is the first event the process ever got. */
static void on_message_event(pg_loop *l, const parigot_event *ev, int first) {
  slot *s = table_get(&l->handles, ev->handle, K_WORKER);
  if (s != NULL) {
    worker *w = s->val;
    deliver_message(l, w->on_message, w->ctx, ev);
  } else if (ev->handle == l->parent) {
    deliver_message(l, l->parent_fn, l->parent_ctx, ev);
  } else if (first) {
    /* A worker's first event is the spawn argument, on the link to its
     * parent. (Any other unknown link is a stopped worker's.) */
    l->parent = ev->handle;
    if (copy_bytes(l->buf + ev->payload_offset, ev->payload_len, &l->arg) != 0) {
      l->arg_status = PG_E_NOMEM;
    }
  }
}

static void on_exit_event(pg_loop *l, const parigot_event *ev) {
  slot *s = table_get(&l->handles, ev->handle, K_WORKER);
  if (s == NULL) {
    return;
  }
  worker *w = s->val;
  table_remove(&l->handles, ev->handle);
  if (w->on_exit != NULL) {
    l->depth++;
    w->on_exit(ev->handle, ev->code, w->ctx);
    l->depth--;
  }
  free(w);
}

/* ---- dispatch and the loop ---- */

static void dispatch(pg_loop *l, const parigot_event *ev) {
  int first = !l->dispatched;
  l->dispatched = 1;
  switch (ev->kind) {
    case PARIGOT_EVENT_PARTIAL:
      on_partial_event(l, ev);
      break;
    case PARIGOT_EVENT_END:
    case PARIGOT_EVENT_ERROR:
      on_final_event(l, ev);
      break;
    case PARIGOT_EVENT_CALL:
      on_call_event(l, ev);
      break;
    case PARIGOT_EVENT_CANCEL:
      on_cancel_event(l, ev);
      break;
    case PARIGOT_EVENT_MESSAGE:
      on_message_event(l, ev, first);
      break;
    case PARIGOT_EVENT_EXIT:
      on_exit_event(l, ev);
      break;
    default:
      pg_log(PG_LOG_WARN, "parigot: ignoring an event of unknown kind %u (handle %d)",
             (unsigned)ev->kind, (int)ev->handle);
      break;
  }
}

/* Dispatches one event, waiting for a batch if none is left. Returns 1, 0 on
 * timeout, or a negative status. */
static int32_t step(pg_loop *l, int64_t timeout_ms) {
  if (l->next >= l->n) {
    int32_t n = fill(l, timeout_ms);
    if (n <= 0) {
      return n;
    }
  }
  /* A copy: a nested wait inside the dispatch refills l->events. */
  parigot_event ev = l->events[l->next++];
  dispatch(l, &ev);
  return 1;
}

int32_t pg_run_once(pg_loop *l, int64_t timeout_ms) {
  int32_t done = 0;
  if (l->next >= l->n) {
    int32_t n = fill(l, timeout_ms);
    if (n <= 0) {
      return n;
    }
  }
  while (l->next < l->n) {
    parigot_event ev = l->events[l->next++];
    dispatch(l, &ev);
    done++;
  }
  return done;
}

int32_t pg_run(pg_loop *l) {
  while (!l->stop) {
    int32_t rc = step(l, PARIGOT_TIMEOUT_DEFAULT);
    if (rc < 0) {
      return rc;
    }
  }
  l->stop = 0;
  return 0;
}

void pg_stop(pg_loop *l) {
  l->stop = 1;
}

int32_t pg_await(pg_loop *l, pg_future *f) {
  int32_t rc = 0;
  f->awaiters++;
  while (!f->done && rc >= 0) {
    rc = step(l, PARIGOT_TIMEOUT_DEFAULT);
  }
  f->awaiters--;
  int32_t status = f->done ? f->result.status : rc;
  if (f->free_pending && f->awaiters == 0) {
    destroy(f);
  }
  return status;
}

static int all_done(pg_future **fs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (!fs[i]->done) {
      return 0;
    }
  }
  return 1;
}

static int any_done(pg_future **fs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (fs[i]->done) {
      return 1;
    }
  }
  return 0;
}

/* Runs the loop until until(fs, n). Returns 0 or the negative status of the wait. */
static int32_t await_many(pg_loop *l, pg_future **fs, uint32_t n,
                          int (*until)(pg_future **fs, uint32_t n)) {
  for (uint32_t i = 0; i < n; i++) {
    fs[i]->awaiters++;
  }
  int32_t rc = 0;
  while (!until(fs, n) && rc >= 0) {
    rc = step(l, PARIGOT_TIMEOUT_DEFAULT);
  }
  for (uint32_t i = 0; i < n; i++) {
    fs[i]->awaiters--;
  }
  return rc < 0 ? rc : 0;
}

/* Frees futures freed while awaited, once the last await lets go of them. The
 * same future may appear twice in fs: free it once. */
static void release_many(pg_future **fs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    pg_future *f = fs[i];
    if (f != NULL && f->free_pending && f->awaiters == 0) {
      for (uint32_t j = i + 1; j < n; j++) {
        if (fs[j] == f) {
          fs[j] = NULL;
        }
      }
      destroy(f);
    }
  }
}

static int has_null(pg_future **fs, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (fs[i] == NULL) {
      return 1;
    }
  }
  return 0;
}

int32_t pg_await_all(pg_loop *l, pg_future **fs, uint32_t n) {
  if (has_null(fs, n)) {
    return -PARIGOT_E_BAD_ARGUMENT;
  }
  int32_t status = await_many(l, fs, n, all_done);
  for (uint32_t i = 0; status == 0 && i < n; i++) {
    status = fs[i]->result.status;
  }
  release_many(fs, n);
  return status;
}

int32_t pg_await_any(pg_loop *l, pg_future **fs, uint32_t n, uint32_t *index) {
  if (n == 0 || has_null(fs, n)) {
    return -PARIGOT_E_BAD_ARGUMENT;
  }
  int32_t status = await_many(l, fs, n, any_done);
  if (status == 0) {
    uint32_t i = 0;
    while (!fs[i]->done) {
      i++;
    }
    *index = i;
    status = fs[i]->result.status;
  }
  release_many(fs, n);
  return status;
}

/* ---- scratch, errors and logging ---- */

void *pg_scratch(uint32_t size) {
  static uint8_t *buf;
  static uint32_t cap;
  if (buf == NULL || size > cap) {
    /* No realloc: the contents are not kept. */
    free(buf);
    cap = size > 0 ? size : 1;
    buf = malloc(cap);
    if (buf == NULL) {
      cap = 0;
    }
  }
  return buf;
}

const char *pg_strerror(int32_t status) {
  static char text[40];
  if (status > 0) {
    if (status == PG_CODE_UNAVAILABLE) {
      return "the service could not take the call";
    }
    snprintf(text, sizeof text, "application error %d", (int)status);
    return text;
  }
  switch (status) {
    case PG_OK: return "ok";
    case -PARIGOT_E_NOT_PERMITTED: return "not permitted";
    case -PARIGOT_E_NO_SUCH_SERVICE: return "no such service";
    case -PARIGOT_E_TIMED_OUT: return "timed out";
    case -PARIGOT_E_CANCELLED: return "cancelled";
    case -PARIGOT_E_PROVIDER_DIED: return "provider died";
    case -PARIGOT_E_MESSAGE_TOO_BIG: return "message too big";
    case -PARIGOT_E_WOULD_EXCEED_LIMIT: return "would exceed a limit";
    case -PARIGOT_E_BAD_ARGUMENT: return "bad argument";
    case -PARIGOT_E_BAD_HANDLE: return "bad handle";
    case -PARIGOT_E_BUFFER_TOO_SMALL: return "buffer too small";
    case -PARIGOT_E_ALREADY_EXPORTED: return "already exported";
    case -PARIGOT_E_SHUTTING_DOWN: return "shutting down";
    case PG_E_DECODE: return "malformed message";
    case PG_E_NOMEM: return "out of memory";
    case PG_E_BUFFER: return "encoding buffer too small";
    case PG_E_NOT_DONE: return "not done yet";
    default:
      snprintf(text, sizeof text, "unknown error %d", (int)status);
      return text;
  }
}

/* ---- time: parigot.clock.v1.Clock ---- */

/* Clock's method numbers (declaration order in clock.proto). */
enum { CLOCK_NOW = 1, CLOCK_SLEEP = 2, CLOCK_TIMER = 4 };

/* The clock service's handle, located on first use. */
static int32_t clock_service(int32_t *out) {
  static int32_t handle;
  static int located;
  if (!located) {
    int32_t rc = pg_locate(PG_CLOCK_SERVICE, &handle);
    if (rc != 0) {
      return rc; /* not cached: a later call reports it again */
    }
    located = 1;
  }
  *out = handle;
  return 0;
}

/* Calls a clock method with int64 fields 1..n (proto3: zeros are omitted). */
static pg_future *clock_call(pg_loop *l, int32_t method, const int64_t *fields, uint32_t n) {
  int32_t clock;
  int32_t rc = clock_service(&clock);
  if (rc != 0) {
    return pg_future_failed(l, rc);
  }
  uint8_t buf[32];
  pg_writer w = pg_writer_of(buf, sizeof buf);
  for (uint32_t i = 0; i < n; i++) {
    if (fields[i] != 0) {
      pg_write_tag(&w, i + 1, PG_WT_VARINT);
      pg_write_varint(&w, (uint64_t)fields[i]);
    }
  }
  /* No deadline: the clock ends the call itself. */
  return pg_call(l, clock, method, (pg_bytes){buf, w.pos}, PARIGOT_TIMEOUT_NONE);
}

/* Reads int64 fields 1..n of a message (others are skipped; absent ones are 0). */
static int32_t decode_int64s(pg_bytes msg, int64_t *fields, uint32_t n) {
  memset(fields, 0, n * sizeof *fields);
  pg_reader r = pg_reader_of(msg.data, msg.len);
  while (!pg_reader_done(&r)) {
    uint32_t field, wire_type;
    int32_t rc = pg_read_tag(&r, &field, &wire_type);
    if (rc == 0 && field <= n) {
      uint64_t v;
      rc = pg_read_varint_field(&r, wire_type, &v);
      fields[field - 1] = (int64_t)v;
    } else if (rc == 0) {
      rc = pg_skip(&r, wire_type);
    }
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

pg_future *pg_sleep(pg_loop *l, int64_t millis) {
  return clock_call(l, CLOCK_SLEEP, &millis, 1);
}

int32_t pg_sleep_result(const pg_future *f, int64_t *monotonic_nanos) {
  if (!f->done) {
    return PG_E_NOT_DONE;
  }
  if (f->result.status != 0) {
    return f->result.status;
  }
  int64_t v;
  int32_t rc = decode_int64s(f->result.data, &v, 1);
  if (rc == 0 && monotonic_nanos != NULL) {
    *monotonic_nanos = v;
  }
  return rc;
}

int32_t pg_now(pg_loop *l, int64_t *unix_nanos, int64_t *monotonic_nanos) {
  pg_future *f = clock_call(l, CLOCK_NOW, NULL, 0);
  int32_t rc = pg_await(l, f);
  if (rc == 0) {
    int64_t v[2];
    rc = decode_int64s(f->result.data, v, 2);
    if (rc == 0) {
      if (unix_nanos != NULL) {
        *unix_nanos = v[0];
      }
      if (monotonic_nanos != NULL) {
        *monotonic_nanos = v[1];
      }
    }
  }
  pg_future_free(f);
  return rc;
}

static void on_tick(pg_future *f, pg_bytes partial, void *ctx) {
  (void)ctx;
  int64_t v[3];
  if (decode_int64s(partial, v, 3) != 0) {
    pg_log(PG_LOG_ERROR, "parigot: a timer tick does not decode; timer stopped");
    fail_locally(f, PG_E_DECODE);
    return;
  }
  pg_tick tick = {v[0], v[1], v[2]};
  if (f->tick_fn != NULL) {
    f->tick_fn(f, &tick, f->tick_ctx); /* may free f */
  }
}

pg_future *pg_timer(pg_loop *l, int64_t period_ms, int64_t count, pg_tick_fn fn, void *ctx) {
  int64_t fields[2] = {period_ms, count};
  pg_future *f = clock_call(l, CLOCK_TIMER, fields, 2);
  if (f != &OOM_FUTURE) {
    f->tick_fn = fn;
    f->tick_ctx = ctx;
    if (!f->done) {
      pg_future_on_partial(f, on_tick, NULL);
    }
  }
  return f;
}

/* ---- logging: parigot.log.v1.Log, or stderr ---- */

/* The log service's limit on a message, in bytes. */
#define LOG_MAX_MESSAGE 8192

static int log_threshold = PG_LOG_INFO;

void pg_log_threshold(int level) {
  log_threshold = level;
}

static const char *level_name(int level) {
  static const char *const names[] = {"debug", "info", "warn", "error"};
  return level >= PG_LOG_DEBUG && level <= PG_LOG_ERROR ? names[level] : "log";
}

static void log_to_stderr(int level, const char *text) {
  /* The kernel collects stderr line by line and tags each line with the
   * process, and the process is single-threaded: pieces cannot interleave. */
  fprintf(stderr, "%s: %s\n", level_name(level), text);
}

/* Log records not yet answered by the service: being sent, or queued in order. */
static uint32_t logs_in_flight;

/* At exit: waits (a little) for records still on their way to the service. */
static void flush_logs(void) {
  pg_loop *l = pg_loop_default();
  for (int tries = 0; logs_in_flight > 0 && tries < 50; tries++) {
    if (pg_run_once(l, 100) < 0) {
      break;
    }
  }
}

/* The log service's handle: > 0 after pg_log_to_service, 0 while records go to stderr. */
static int32_t log_handle;

int32_t pg_log_to_service(void) {
  if (log_handle > 0) {
    return 0;
  }
  int32_t h;
  int32_t rc = pg_locate(PG_LOG_SERVICE, &h);
  if (rc != 0) {
    return rc;
  }
  log_handle = h;
  atexit(flush_logs);
  return 0;
}

static int32_t log_service(void) {
  return log_handle;
}

/* The longest prefix of s of at most max bytes that ends on a UTF-8 character boundary. */
static uint32_t clip(const char *s, uint32_t len, uint32_t max) {
  if (len <= max) {
    return len;
  }
  while (max > 0 && ((uint8_t)s[max] & 0xC0) == 0x80) {
    max--;
  }
  return max;
}

/* A record on its way: its text is kept to reach stderr if the service refuses it. */
typedef struct log_record {
  struct log_record *next;
  int level;
  uint32_t len; /* of text, without the NUL */
  char text[];
} log_record;

/* The records are sent one at a time, in the order they were logged: calls in
 * flight together may be served in any order, and a log must not reorder. */
static log_record *log_head, *log_tail;
static bool log_sending; /* log_head is with the service */
static bool log_pumping; /* send_logs is on the stack */

static void send_logs(void);

static void pop_log(void) {
  log_record *r = log_head;
  log_head = r->next;
  if (log_head == NULL) {
    log_tail = NULL;
  }
  free(r);
  logs_in_flight--;
}

static void on_logged(pg_future *f, void *ctx) {
  log_record *r = ctx;
  int32_t status = f->result.status;
  if (status != 0) {
    log_to_stderr(r->level, r->text);
    fprintf(stderr, "warn: parigot: the log service did not take that record: %s%s%s\n",
            pg_strerror(status), f->result.data.len > 0 ? ": " : "",
            (const char *)f->result.data.data);
  }
  pg_future_free(f);
  log_sending = false;
  pop_log();
  send_logs();
}

/* Sends r to the log service; false (after writing it to stderr) if it cannot. */
static bool send_log(log_record *r, int32_t service) {
  /* WriteRequest { Level level = 1; string message = 2; }: Level is ours + 1. */
  int level = r->level;
  int lv = level < PG_LOG_DEBUG ? PG_LOG_DEBUG : level > PG_LOG_ERROR ? PG_LOG_ERROR : level;
  pg_bytes msg = {(const uint8_t *)r->text, clip(r->text, r->len, LOG_MAX_MESSAGE)};
  uint8_t *buf = malloc(msg.len + 16);
  if (buf == NULL) {
    log_to_stderr(level, r->text);
    return false;
  }
  pg_writer w = pg_writer_of(buf, msg.len + 16);
  pg_write_tag(&w, 1, PG_WT_VARINT);
  pg_write_varint(&w, (uint64_t)(lv + 1));
  pg_write_tag(&w, 2, PG_WT_LEN);
  pg_write_len(&w, msg);
  /* Not awaited, so logging never runs the loop: the answer is handled when
   * the loop next runs, or at exit. It may also come at once (a call refused
   * before it left), which on_logged handles like any other. */
  pg_future *f = pg_call(pg_loop_default(), service, 1, (pg_bytes){buf, w.pos},
                         PARIGOT_TIMEOUT_DEFAULT);
  free(buf);
  pg_future_on_done(f, on_logged, r);
  return true;
}

/* Sends the oldest queued record, unless one is with the service already. */
static void send_logs(void) {
  if (log_pumping) {
    return; /* an answer that came at once, inside send_log: the loop below goes on */
  }
  log_pumping = true;
  while (log_head != NULL && !log_sending) {
    log_sending = true;
    if (!send_log(log_head, log_service())) {
      log_sending = false;
      pop_log();
    }
  }
  log_pumping = false;
}

void pg_log(int level, const char *fmt, ...) {
  if (level < log_threshold) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    return;
  }
  log_record *r = malloc(sizeof *r + (size_t)n + 1);
  if (r == NULL) {
    fprintf(stderr, "error: parigot: out of memory formatting a log record\n");
    return;
  }
  r->level = level;
  va_start(ap, fmt);
  vsnprintf(r->text, (size_t)n + 1, fmt, ap);
  va_end(ap);
  r->len = (uint32_t)n;
  r->next = NULL;
  if (log_service() == 0 || n == 0) {
    log_to_stderr(level, r->text);
    free(r);
    return;
  }
  if (log_tail == NULL) {
    log_head = r;
  } else {
    log_tail->next = r;
  }
  log_tail = r;
  logs_in_flight++;
  send_logs();
}
