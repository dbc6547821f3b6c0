/*
 * greeter: the C greeter of the polyglot example. It serves
 * polyglot.v1.CGreeter (greeting.proto) through the generated server stub.
 */
#include <stdlib.h>
#include <string.h>

#include "greeting.pg.h"

/* Application error code (positive: the caller sees it as the status). */
#define GREETER_E_EMPTY_NAME 1

static void greet(pg_call *call, const polyglot_v1_GreetRequest *req, void *ctx) {
  (void)ctx;
  if (req->name.len == 0) {
    pg_call_fail(call, GREETER_E_EMPTY_NAME, "a greeting needs a name");
    return;
  }
  static const char prefix[] = "Hello, ";
  uint32_t len = (uint32_t)(sizeof prefix - 1) + req->name.len + 1;
  /* Not pg_scratch: the reply stub encodes into that buffer. */
  uint8_t *text = len > req->name.len ? malloc(len) : NULL;
  if (text == NULL) {
    pg_call_fail(call, PG_STATUS_RESOURCE_EXHAUSTED, "the name is too long");
    return;
  }
  memcpy(text, prefix, sizeof prefix - 1);
  memcpy(text + sizeof prefix - 1, req->name.data, req->name.len);
  text[len - 1] = '!';

  polyglot_v1_GreetReply reply;
  polyglot_v1_GreetReply_init(&reply);
  reply.greeting = (pg_bytes){text, len};
  reply.language = pg_str("C");
  int32_t rc = polyglot_v1_CGreeter_Greet_reply(call, &reply);
  free(text);
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "greeter: reply: %s", pg_strerror(rc));
  }
}

int main(void) {
  static const polyglot_v1_CGreeter_handlers handlers = {.Greet = greet};
  pg_loop *loop = pg_loop_default();
  int32_t rc = polyglot_v1_CGreeter_serve(loop, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "greeter: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "greeter: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
