/*
 * A stand-in for sdk/c/include/parigot.h, the byte-level SDK runtime, for
 * the round-trip test guest only: the contract the generated service stubs
 * are written against, declared exactly as that header declares it. The test
 * guest implements these functions with fakes (fake_runtime.c).
 */
#ifndef PARIGOT_H
#define PARIGOT_H

#include <stdint.h>

#include "parigot_wire.h"

typedef struct pg_loop pg_loop;
typedef struct pg_future pg_future;
typedef struct pg_call pg_call;

typedef struct pg_result {
  int32_t status; /* 0 ok, <0 -errno kernel error, >0 application code */
  pg_bytes data;  /* END payload, or the error message */
} pg_result;

int32_t pg_locate(const char *name, int32_t *service_out);
/* C cannot name both a type and a function pg_call: the function is pg_invoke. */
pg_future *pg_invoke(pg_loop *l, int32_t service, int32_t method, pg_bytes req,
                     int64_t timeout_ms);
#define pg_call(l, service, method, req, timeout_ms) \
  pg_invoke((l), (service), (method), (req), (timeout_ms))
pg_future *pg_future_failed(pg_loop *l, int32_t status);
const pg_result *pg_future_result(const pg_future *f);
void pg_future_on_partial(pg_future *f, void (*fn)(pg_future *f, pg_bytes partial, void *ctx),
                          void *ctx);
typedef void (*pg_handler_fn)(pg_call *call, int32_t method, pg_bytes request, void *ctx);
int32_t pg_serve(pg_loop *l, const char *name, pg_handler_fn fn, void *ctx);
int32_t pg_call_partial(pg_call *c, pg_bytes data);
int32_t pg_call_end(pg_call *c, pg_bytes data);
int32_t pg_call_fail(pg_call *c, int32_t code, const char *msg);
void *pg_scratch(uint32_t size);

#endif /* PARIGOT_H */
