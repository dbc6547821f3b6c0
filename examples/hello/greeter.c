/*
 * greeter: the service half of the hello example. It serves
 * hello.v1.Greeter (greeting.proto) through the generated server stub:
 * hello_v1_Greeter_serve decodes each call's request and hands it to greet().
 */
#include <stdlib.h>
#include <string.h>

#include "greeting.pg.h"

/* Application error code (the caller sees it as the status), in the
 * application range: PG_APP_CODE_MIN and above. */
#define GREETER_E_TOO_LONG (PG_APP_CODE_MIN + 1)

static void greet(pg_call *call, const hello_v1_GreetRequest *req, void *ctx) {
  (void)ctx;
  static const char prefix[] = "Hello, ";
  uint32_t len = (uint32_t)(sizeof prefix - 1) + req->name.len + 1;
  /* Not pg_scratch: the reply stub encodes into that buffer. */
  uint8_t *text = len > req->name.len ? malloc(len) : NULL;
  if (text == NULL) {
    pg_call_fail(call, GREETER_E_TOO_LONG, "the name is too long");
    return;
  }
  memcpy(text, prefix, sizeof prefix - 1);
  memcpy(text + sizeof prefix - 1, req->name.data, req->name.len);
  text[len - 1] = '!';

  hello_v1_GreetReply reply;
  hello_v1_GreetReply_init(&reply);
  reply.greeting = (pg_bytes){text, len};
  int32_t rc = hello_v1_Greeter_Greet_reply(call, &reply); /* copied before it returns */
  free(text);
  if (rc == -PARIGOT_E_MESSAGE_TOO_BIG) {
    /* Refused, but the call is still open: end it with an error. */
    pg_call_fail(call, GREETER_E_TOO_LONG, "the greeting is larger than max_message_bytes");
  } else if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "greeter: reply: %s", pg_strerror(rc));
  }
}

int main(void) {
  static const hello_v1_Greeter_handlers handlers = {.Greet = greet};
  pg_loop *loop = pg_loop_default();
  int32_t rc = hello_v1_Greeter_serve(loop, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "greeter: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "greeter: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
