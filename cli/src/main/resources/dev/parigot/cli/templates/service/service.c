/*
 * service: serves @IDENT@.v1.Greeter (@IDENT@.proto) through the generated
 * server stub, which decodes each call's request and hands it to greet().
 */
#include <stdio.h>

#include "@IDENT@.pg.h"

/*
 * An application error code: the caller sees it as the call's status. Codes
 * from PG_APP_CODE_MIN (1000) up are the application's; those below are
 * Parigot's (parigot_status.h).
 */
#define GREETER_E_NO_NAME (PG_APP_CODE_MIN + 1)

static void greet(pg_call *call, const @IDENT@_v1_GreetRequest *req, void *ctx) {
  (void)ctx;
  if (req->name.len == 0) {
    pg_call_fail(call, GREETER_E_NO_NAME, "the name is empty");
    return;
  }
  char text[256];
  int n = snprintf(text, sizeof text, "Hello, %.*s!", (int)req->name.len,
                   (const char *)req->name.data);
  if (n < 0 || n >= (int)sizeof text) {
    pg_call_fail(call, GREETER_E_NO_NAME, "the name is too long");
    return;
  }
  @IDENT@_v1_GreetReply reply;
  @IDENT@_v1_GreetReply_init(&reply);
  reply.greeting = (pg_bytes){(const uint8_t *)text, (uint32_t)n};
  int32_t rc = @IDENT@_v1_Greeter_Greet_reply(call, &reply);
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "service: reply: %s", pg_strerror(rc));
  }
}

int main(void) {
  static const @IDENT@_v1_Greeter_handlers handlers = {.Greet = greet};
  pg_loop *loop = pg_loop_default();
  int32_t rc = @IDENT@_v1_Greeter_serve(loop, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "service: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "service: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
