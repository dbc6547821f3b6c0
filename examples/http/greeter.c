/*
 * greeter: the backend of the http example.
 *
 * It serves "web.v1.Greeter" with one method:
 *
 *   1  Greet  request: a name (1 to 64 bytes)
 *             reply:   "Hello, <name>!"
 *
 * An empty or longer name fails with application code 3 (INVALID_ARGUMENT);
 * the front door turns that into a 400.
 */
#include <string.h>

#include "parigot.h"

#define GREETER_SERVICE "web.v1.Greeter"
#define MAX_NAME 64

static void greet(pg_call *call, int32_t method, pg_bytes name, void *ctx) {
  (void)ctx;
  if (method != 1) {
    pg_call_fail(call, 12, "web.v1.Greeter has one method, 1 (Greet)");
    return;
  }
  if (name.len == 0 || name.len > MAX_NAME) {
    pg_call_fail(call, 3, "a name is 1 to 64 bytes");
    return;
  }
  static uint8_t out[MAX_NAME + 16];
  memcpy(out, "Hello, ", 7);
  memcpy(out + 7, name.data, name.len);
  memcpy(out + 7 + name.len, "!\n", 2);
  pg_call_end(call, (pg_bytes){out, 7 + name.len + 2});
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
