/* fake_runtime: see fake_runtime.h. */
#include "fake_runtime.h"

#include <string.h>

#define FAKE_SERVICE 7

struct pg_loop {
  int unused;
};
struct pg_call {
  int unused;
};
struct pg_future {
  pg_result result;
  int done;
};

static uint32_t log_len;
/* What pg_serve registered, by name; the last one is fake_deliver's. */
#define FAKE_NAMES 8
static struct {
  char name[64];
  pg_handler_fn fn;
  void *ctx;
} served[FAKE_NAMES];
static uint32_t served_len;
static int32_t next_status;
static pg_future the_future;
static pg_call the_call;

uint32_t fake_log_len(void) { return log_len; }

void fake_log_answer(uint8_t kind, int32_t code, pg_bytes data) {
  uint8_t *p = fake_log() + log_len;
  p[0] = kind;
  memcpy(p + 1, &code, 4);
  memcpy(p + 5, &data.len, 4);
  if (data.len > 0) {
    memcpy(p + 9, data.data, data.len);
  }
  log_len += 9 + data.len;
}

void fake_reset(void) { log_len = 0; }

void fake_deliver(int32_t method, pg_bytes request) {
  if (served_len > 0) {
    served[served_len - 1].fn(&the_call, method, request, served[served_len - 1].ctx);
  }
}

static int32_t served_index(const char *name) {
  for (uint32_t i = 0; i < served_len; i++) {
    if (strcmp(served[i].name, name) == 0) {
      return (int32_t)i;
    }
  }
  return -1;
}

int32_t fake_deliver_to(const char *name, int32_t method, pg_bytes request) {
  int32_t i = served_index(name);
  if (i < 0) {
    return -1;
  }
  served[i].fn(&the_call, method, request, served[i].ctx);
  return 0;
}

void fake_complete_with(int32_t status) { next_status = status; }

int32_t pg_locate(const char *name, int32_t *service_out) {
  *service_out = strcmp(name, "hello.v1.Greeter") == 0 ? FAKE_SERVICE : 0;
  return *service_out == FAKE_SERVICE ? 0 : -2;
}

pg_future *pg_invoke(pg_loop *l, int32_t service, int32_t method, pg_bytes req,
                     int64_t timeout_ms) {
  (void)l;
  (void)timeout_ms;
  fake_log_answer('I', service == FAKE_SERVICE ? method : -1, req);
  static const uint8_t hi[] = {0x0a, 0x02, 'h', 'i'}; /* GreetReply{greeting: "hi"} */
  static const char failed[] = "it failed";
  the_future.done = 1;
  the_future.result.status = next_status;
  the_future.result.data.data = next_status == 0 ? hi : (const uint8_t *)failed;
  the_future.result.data.len = next_status == 0 ? sizeof hi : sizeof failed - 1;
  return &the_future;
}

pg_future *pg_future_failed(pg_loop *l, int32_t status) {
  (void)l;
  the_future.done = 1;
  the_future.result.status = status;
  the_future.result.data.len = 0;
  return &the_future;
}

const pg_result *pg_future_result(const pg_future *f) { return f->done ? &f->result : NULL; }

int32_t pg_future_decode(pg_future *f, pg_decode_fn decode, void *out) {
  static _Alignas(16) uint8_t mem[4096];
  if (!f->done) {
    return PG_E_NOT_DONE;
  }
  if (f->result.status != 0) {
    return f->result.status;
  }
  pg_arena a;
  pg_arena_init(&a, mem, sizeof mem);
  return decode(out, f->result.data.data, f->result.data.len, &a);
}

int32_t pg_serve(pg_loop *l, const char *name, pg_handler_fn fn, void *ctx) {
  (void)l;
  /* As the kernel does, a name is exported at most once. */
  if (served_len == FAKE_NAMES || strlen(name) >= sizeof served[0].name ||
      served_index(name) >= 0) {
    return -1;
  }
  strcpy(served[served_len].name, name);
  served[served_len].fn = fn;
  served[served_len].ctx = ctx;
  served_len++;
  return 0;
}

int32_t pg_call_partial(pg_call *c, pg_bytes data) {
  (void)c;
  fake_log_answer('P', 0, data);
  return 0;
}

int32_t pg_call_end(pg_call *c, pg_bytes data) {
  (void)c;
  fake_log_answer('E', 0, data);
  return 0;
}

int32_t pg_call_fail(pg_call *c, int32_t code, const char *msg) {
  (void)c;
  pg_bytes m = {(const uint8_t *)msg, (uint32_t)strlen(msg)};
  fake_log_answer('F', code, m);
  return 0;
}

void *pg_scratch(uint32_t size) {
  static _Alignas(16) uint8_t scratch[1u << 16];
  return size <= sizeof scratch ? scratch : NULL;
}
