/*
 * greeter: the service half of the hello example.
 *
 * It serves "hello.v1.Greeter" with one method:
 *
 *   1  Greet  request: a name (bytes, any length)
 *             reply:   "Hello, <name>!" as a single END reply
 *
 * Any other method fails with the application code GREETER_E_NO_SUCH_METHOD.
 *
 * It uses the C SDK runtime (parigot.h): pg_serve routes each incoming call
 * to greet(), and pg_run serves until the kernel ends the app.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot.h"

#define GREETER_SERVICE "hello.v1.Greeter"
#define GREETER_METHOD_GREET 1

/* Application error codes: positive, the caller sees them as the status. */
#define GREETER_E_NO_SUCH_METHOD 1 /* the method number is not one of ours */
#define GREETER_E_TOO_LONG 2       /* the greeting is too large to send */

static const char PREFIX[] = "Hello, ";
static const char SUFFIX[] = "!";

/* Ends a call with an application error; a caller that gave up is not an error. */
static void fail(pg_call *call, int32_t code, const char *msg) {
  int32_t rc = pg_call_fail(call, code, msg);
  if (rc < 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "greeter: fail: %s", pg_strerror(rc));
  }
}

static void greet(pg_call *call, int32_t method, pg_bytes name, void *ctx) {
  (void)ctx;
  if (method != GREETER_METHOD_GREET) {
    char msg[64];
    snprintf(msg, sizeof msg, GREETER_SERVICE " has no method %d", (int)method);
    fail(call, GREETER_E_NO_SUCH_METHOD, msg);
    return;
  }
  uint32_t len = (uint32_t)(sizeof PREFIX - 1) + name.len + (uint32_t)(sizeof SUFFIX - 1);
  uint8_t *greeting = len > name.len ? pg_scratch(len) : NULL;
  if (greeting == NULL) {
    fail(call, GREETER_E_TOO_LONG, "the name is too long");
    return;
  }
  memcpy(greeting, PREFIX, sizeof PREFIX - 1);
  memcpy(greeting + sizeof PREFIX - 1, name.data, name.len);
  memcpy(greeting + sizeof PREFIX - 1 + name.len, SUFFIX, sizeof SUFFIX - 1);

  int32_t rc = pg_call_end(call, (pg_bytes){greeting, len});
  if (rc == -PARIGOT_E_MESSAGE_TOO_BIG) {
    /* The reply was refused but the call is still open: end it with an error. */
    fail(call, GREETER_E_TOO_LONG, "the greeting is larger than max_message_bytes");
  } else if (rc < 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "greeter: reply: %s", pg_strerror(rc));
  }
}

int main(void) {
  pg_loop *loop = pg_loop_default();
  int32_t rc = pg_serve(loop, GREETER_SERVICE, greet, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "greeter: serve %s: %s", GREETER_SERVICE, pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "greeter: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
