/*
 * greeter: the backend of the http example. It serves web.v1.Greeter
 * (greeter.proto) through the generated server stub:
 *
 *   Greet  "Hello, <name>!" and a newline, for a name of 1 to 64 bytes;
 *          any other fails with GREETER_ERROR_BAD_NAME, which the front
 *          door turns into a 400.
 */
#include <string.h>

#include "greeter.pg.h"

#define MAX_NAME 64

static void greet(pg_call *call, const web_v1_GreetRequest *req, void *ctx) {
  (void)ctx;
  if (req->name.len == 0 || req->name.len > MAX_NAME) {
    pg_call_fail(call, web_v1_GreeterError_GREETER_ERROR_BAD_NAME, "a name is 1 to 64 bytes");
    return;
  }
  /* Not pg_scratch: the reply stub encodes into that buffer. */
  static uint8_t text[MAX_NAME + 16];
  memcpy(text, "Hello, ", 7);
  memcpy(text + 7, req->name.data, req->name.len);
  memcpy(text + 7 + req->name.len, "!\n", 2);
  web_v1_GreetReply reply;
  web_v1_GreetReply_init(&reply);
  reply.greeting = (pg_bytes){text, 7 + req->name.len + 2};
  int32_t rc = web_v1_Greeter_Greet_reply(call, &reply);
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "greeter: reply: %s", pg_strerror(rc));
  }
}

int main(void) {
  static const web_v1_Greeter_handlers handlers = {.Greet = greet};
  pg_loop *loop = pg_loop_default();
  int32_t rc = web_v1_Greeter_serve(loop, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "greeter: serve %s: %s", web_v1_Greeter_NAME, pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "greeter: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
