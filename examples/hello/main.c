/*
 * main: the client half of the hello example. It calls hello.v1.Greeter's
 * Greet (greeting.proto) with its first argument (or "world") through the
 * generated client stub and prints the greeting; if the call fails it says
 * why on stderr and exits 1.
 *
 * The call is asynchronous: hello_v1_Greeter_Greet returns a future at once,
 * and pg_await runs the event loop until its result has arrived.
 */
#include <stdio.h>

#include "greeting.pg.h"

int main(int argc, char **argv) {
  pg_loop *loop = pg_loop_default();
  hello_v1_Greeter_client greeter;
  int32_t rc = hello_v1_Greeter_connect(&greeter);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: connect %s: %s", hello_v1_Greeter_NAME, pg_strerror(rc));
    return 1;
  }

  hello_v1_GreetRequest req;
  hello_v1_GreetRequest_init(&req);
  req.name = pg_str(argc > 1 ? argv[1] : "world");
  /* The default timeout is the manifest's call_timeout_ms, so the await ends
   * even if the greeter never answers. */
  pg_future *f = hello_v1_Greeter_Greet(loop, &greeter, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  hello_v1_GreetReply reply;
  /* NULL: decode into the future's own memory, freed with it. */
  rc = hello_v1_Greeter_Greet_result(f, &reply, NULL);
  if (rc != 0) {
    /* < 0: the kernel's or the SDK's error; > 0: the greeter's own code, with
     * its message as the result's data. */
    pg_log(PG_LOG_ERROR, "main: Greet: %s%s%s", pg_strerror(rc), rc > 0 ? ": " : "",
           rc > 0 ? (const char *)pg_future_result(f)->data.data : "");
    return 1;
  }
  int ok = printf("%.*s\n", (int)reply.greeting.len, (const char *)reply.greeting.data) >= 0 &&
           fflush(stdout) == 0;
  pg_future_free(f); /* reply points into it: done with both */
  return ok ? 0 : 1;
}
