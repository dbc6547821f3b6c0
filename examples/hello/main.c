/*
 * main: the client half of the hello example.
 *
 * Calls hello.v1.Greeter's Greet with its first argument (or "world"),
 * prints the greeting and exits 0. If the call fails it prints why to
 * stderr and exits 1.
 *
 * The call is asynchronous: pg_call returns a future at once, and pg_await
 * runs the event loop until its result has arrived.
 */
#include <stdio.h>

#include "parigot.h"

#define GREETER_SERVICE "hello.v1.Greeter"
#define GREETER_METHOD_GREET 1

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "world";
  pg_loop *loop = pg_loop_default();

  int32_t greeter;
  int32_t rc = pg_locate(GREETER_SERVICE, &greeter);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: locate %s: %s", GREETER_SERVICE, pg_strerror(rc));
    return 1;
  }

  /* The default timeout is the manifest's call_timeout_ms, so the await
   * ends even if the greeter never answers. */
  pg_future *greeting =
      pg_call(loop, greeter, GREETER_METHOD_GREET, pg_str(name), PARIGOT_TIMEOUT_DEFAULT);
  rc = pg_await(loop, greeting);
  const pg_result *r = pg_future_result(greeting);
  if (rc != 0) {
    /* r is NULL only if waiting itself failed. */
    pg_log(PG_LOG_ERROR, "main: Greet failed: %s%s%s", pg_strerror(rc),
           r != NULL && r->data.len > 0 ? ": " : "", r != NULL ? (const char *)r->data.data : "");
    return 1;
  }
  int ok = printf("%.*s\n", (int)r->data.len, (const char *)r->data.data) >= 0 &&
           fflush(stdout) == 0;
  pg_future_free(greeting);
  return ok ? 0 : 1;
}
