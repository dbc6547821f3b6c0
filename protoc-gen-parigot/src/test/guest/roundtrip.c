/*
 * roundtrip: the test guest for the generated C (a reactor; the Java tests
 * in dev.parigot.protoc drive it through its exports).
 *
 *   in_ptr(), out_ptr()     where the tests put input and read output
 *   roundtrip(kind, in_len, out_cap, arena_cap)
 *                           decodes in[0..in_len) as message `kind` with an
 *                           arena of arena_cap bytes, re-encodes it into
 *                           out[0..out_cap) and returns the encoded length, or
 *                           the first error code. RT_E_SIZE if the encoding's
 *                           length is not T_encoded_size; RT_E_CANARY if any
 *                           byte around the output buffer or the arena
 *                           changed.
 *   serve(method, in_len, flags)
 *                           dispatches one call of hello.v1.Greeter through
 *                           the generated server with the fake runtime (flags:
 *                           SERVE_WITHOUT_COUNT, SERVE_NESTED) and
 *                           returns the length of the answer log at out.
 *   serve_as_names()        exports hello.v1.Greeter with hello_v1_Greeter_serve_as
 *                           under five names, each with its own ctx; returns
 *                           how many it took, or the error of the last
 *   serve_to(name, in_len)  dispatches one Greet call to the name of that index
 *                           and returns the length of the answer log at out
 *   client_greet(status, in_future)
 *                           calls Greet through the generated client against
 *                           the fake runtime and decodes the result into an
 *                           arena of its own, or into the future's memory
 *                           (arena NULL) if in_future; returns the _result code.
 *
 * Buffers are static: no malloc anywhere, as in the generated code.
 */
#include <stdint.h>
#include <string.h>

#include "fake_runtime.h"
#include "hello/v1/greeter.pg.h"
#include "test/v1/everything.pg.h"

#define EXPORT(name) __attribute__((export_name(name)))

#define IN_CAP (1u << 20)
#define OUT_CAP (1u << 20)
#define ARENA_CAP (4u << 20)
#define CANARY 64u
#define CANARY_BYTE 0xa5

#define RT_E_ARG (-2000)    /* a test argument is out of range */
#define RT_E_SIZE (-2001)   /* T_encode wrote other than T_encoded_size bytes */
#define RT_E_CANARY (-2002) /* a write outside the output buffer or the arena */

static uint8_t in_buf[IN_CAP];
static uint8_t out_region[CANARY + OUT_CAP + CANARY];
static _Alignas(16) uint8_t arena_region[CANARY + ARENA_CAP + CANARY];

EXPORT("in_ptr") uint8_t *in_ptr(void) { return in_buf; }
EXPORT("out_ptr") uint8_t *out_ptr(void) { return out_region + CANARY; }

uint8_t *fake_log(void) { return out_region + CANARY; }

#define ROUNDTRIP(T)                                                                   \
  static int32_t rt_##T(uint32_t in_len, uint8_t *out, uint32_t out_cap, pg_arena *a, \
                        uint32_t *written) {                                          \
    T m;                                                                              \
    int32_t rc = T##_decode(&m, in_buf, in_len, a);                                   \
    if (rc != PG_OK) {                                                                \
      return rc;                                                                      \
    }                                                                                 \
    uint32_t size = T##_encoded_size(&m);                                             \
    if ((rc = T##_encode(&m, out, out_cap, written)) != PG_OK) {                      \
      return rc;                                                                      \
    }                                                                                 \
    return *written == size ? PG_OK : RT_E_SIZE;                                      \
  }

ROUNDTRIP(test_v1_Scalars)
ROUNDTRIP(test_v1_Everything)
ROUNDTRIP(test_v1_Node)
ROUNDTRIP(test_v1_Empty)
ROUNDTRIP(test_v1_Point)
ROUNDTRIP(hello_v1_GreetRequest)

typedef int32_t (*rt_fn)(uint32_t, uint8_t *, uint32_t, pg_arena *, uint32_t *);
/* Indexed by the tests' kind numbers. */
static const rt_fn KINDS[] = {
    NULL,          rt_test_v1_Scalars, rt_test_v1_Everything,        rt_test_v1_Node,
    rt_test_v1_Empty, rt_test_v1_Point, rt_hello_v1_GreetRequest,
};

static int intact(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (p[i] != CANARY_BYTE) {
      return 0;
    }
  }
  return 1;
}

EXPORT("roundtrip")
int32_t roundtrip(uint32_t kind, uint32_t in_len, uint32_t out_cap, uint32_t arena_cap) {
  if (kind == 0 || kind >= sizeof KINDS / sizeof KINDS[0] || in_len > IN_CAP ||
      out_cap > OUT_CAP || arena_cap > ARENA_CAP) {
    return RT_E_ARG;
  }
  uint8_t *out = out_region + CANARY;
  uint8_t *arena_mem = arena_region + CANARY;
  memset(out_region, CANARY_BYTE, CANARY);
  memset(out + out_cap, CANARY_BYTE, CANARY);
  memset(arena_region, CANARY_BYTE, CANARY);
  memset(arena_mem + arena_cap, CANARY_BYTE, CANARY);

  pg_arena arena;
  pg_arena_init(&arena, arena_mem, arena_cap);
  uint32_t written = 0;
  int32_t rc = KINDS[kind](in_len, out, out_cap, &arena, &written);

  if (!intact(out_region, CANARY) || !intact(out + out_cap, CANARY) ||
      !intact(arena_region, CANARY) || !intact(arena_mem + arena_cap, CANARY)) {
    return RT_E_CANARY;
  }
  return rc == PG_OK ? (int32_t)written : rc;
}

/* ---- the generated server, through the fake runtime ---- */

static uint32_t serve_flags;
#define SERVE_WITHOUT_COUNT 1u
/* Greet handles a second call while the first one's handler runs, as a
 * handler that awaits does. */
#define SERVE_NESTED 2u

/* ctx: the salutation, "Hello, " if NULL. */
static void greet(pg_call *call, const hello_v1_GreetRequest *req, void *ctx) {
  static int depth;
  if ((serve_flags & SERVE_NESTED) && depth == 0) {
    static const pg_bytes inner_tags[] = {{(const uint8_t *)"x", 1}, {(const uint8_t *)"y", 1},
                                          {(const uint8_t *)"z", 1}};
    hello_v1_GreetRequest inner;
    hello_v1_GreetRequest_init(&inner);
    inner.name = (pg_bytes){(const uint8_t *)"inner", 5};
    inner.tags.items = (pg_bytes *)inner_tags;
    inner.tags.len = 3;
    static uint8_t buf[64];
    uint32_t written = 0;
    if (hello_v1_GreetRequest_encode(&inner, buf, sizeof buf, &written) == PG_OK) {
      depth++;
      fake_deliver(hello_v1_Greeter_Greet_METHOD, (pg_bytes){buf, written});
      depth--;
    }
  }
  /* "Hello, <name>!" and " #<tag>" per tag, cut at 255 bytes. */
  uint8_t text[256];
  uint32_t n = 0;
  const char *salutation = ctx != NULL ? ctx : "Hello, ";
  const pg_bytes parts[] = {{(const uint8_t *)salutation, (uint32_t)strlen(salutation)},
                            req->name,
                            {(const uint8_t *)"!", 1}};
  for (uint32_t i = 0; i < 3 + 2 * req->tags.len; i++) {
    pg_bytes p = i < 3 ? parts[i]
                       : (i - 3) % 2 == 0 ? (pg_bytes){(const uint8_t *)" #", 2}
                                          : req->tags.items[(i - 3) / 2];
    uint32_t take = p.len < sizeof text - n ? p.len : (uint32_t)sizeof text - n;
    if (take > 0) {
      memcpy(text + n, p.data, take);
    }
    n += take;
  }
  hello_v1_GreetReply reply;
  hello_v1_GreetReply_init(&reply);
  reply.greeting = (pg_bytes){text, n};
  hello_v1_Greeter_Greet_reply(call, &reply);
}

static void count(pg_call *call, const hello_v1_CountRequest *req, void *ctx) {
  (void)ctx;
  hello_v1_CountReply reply;
  hello_v1_CountReply_init(&reply);
  for (uint32_t i = 1; i <= req->to; i++) {
    reply.n = i;
    hello_v1_Greeter_Count_send(call, &reply);
  }
  reply.n = 0;
  hello_v1_Greeter_Count_reply(call, &reply);
}

EXPORT("serve")
int32_t serve(int32_t method, uint32_t in_len, uint32_t flags) {
  static hello_v1_Greeter_handlers handlers;
  serve_flags = flags;
  handlers.Greet = greet;
  handlers.Count = (flags & SERVE_WITHOUT_COUNT) ? NULL : count;
  fake_reset();
  /* Exported once; later calls change the handlers in place. */
  static int served;
  if (!served) {
    int32_t rc = hello_v1_Greeter_serve(NULL, &handlers, NULL);
    if (rc != 0) {
      return rc;
    }
    served = 1;
  }
  pg_bytes request = {in_buf, in_len};
  fake_deliver(method, request);
  return (int32_t)fake_log_len();
}

/* The names serve_as exports, each with its own salutation as ctx. */
static const char *const serve_as_names[] = {"web.v1.Front", "web.v1.Back", "c", "d", "e"};
static const char *const serve_as_ctx[] = {"Hi, ", "Bye, ", "C, ", "D, ", "E, "};

EXPORT("serve_as_names")
int32_t serve_as_all(void) {
  static const hello_v1_Greeter_handlers handlers = {.Greet = greet};
  /* The last status of hello_v1_Greeter_serve_as, and how many names it took. */
  int32_t rc = 0, taken = 0;
  for (uint32_t i = 0; i < sizeof serve_as_names / sizeof serve_as_names[0]; i++) {
    rc = hello_v1_Greeter_serve_as(NULL, serve_as_names[i], &handlers, (void *)serve_as_ctx[i]);
    if (rc == 0) {
      taken++;
    }
  }
  return rc == 0 ? taken : rc;
}

EXPORT("serve_to")
int32_t serve_to(int32_t name, uint32_t in_len) {
  fake_reset();
  int32_t rc = fake_deliver_to(serve_as_names[name], hello_v1_Greeter_Greet_METHOD,
                               (pg_bytes){in_buf, in_len});
  return rc == 0 ? (int32_t)fake_log_len() : rc;
}

/* ---- the generated client, through the fake runtime ---- */

EXPORT("client_greet")
int32_t client_greet(int32_t status, int32_t in_future) {
  fake_reset();
  hello_v1_Greeter_client client;
  int32_t rc = hello_v1_Greeter_connect(&client);
  if (rc != 0) {
    return rc;
  }
  hello_v1_GreetRequest req;
  hello_v1_GreetRequest_init(&req);
  req.name.data = (const uint8_t *)"world";
  req.name.len = 5;
  /* The fake completes the call with this status; on success its END
   * payload is the reply "hi". */
  fake_complete_with(status);
  pg_future *f = hello_v1_Greeter_Greet(NULL, &client, &req, 250);
  hello_v1_GreetReply reply;
  static uint8_t arena_mem[256];
  pg_arena arena;
  pg_arena_init(&arena, arena_mem, sizeof arena_mem);
  rc = hello_v1_Greeter_Greet_result(f, &reply, in_future ? NULL : &arena);
  if (rc == PG_OK) {
    fake_log_answer('R', 0, reply.greeting);
  }
  return rc;
}
