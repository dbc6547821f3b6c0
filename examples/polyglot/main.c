/*
 * main: the C client of the polyglot example. It calls the AssemblyScript
 * greeter (polyglot.v1.AsGreeter) and prints the greeting; if the call fails
 * it says why on stderr and exits 1.
 */
#include <stdio.h>

#include "greeting.pg.h"

int main(void) {
  pg_loop *loop = pg_loop_default();
  polyglot_v1_AsGreeter_client greeter;
  int32_t rc = polyglot_v1_AsGreeter_connect(&greeter);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: connect %s: %s", polyglot_v1_AsGreeter_NAME, pg_strerror(rc));
    return 1;
  }
  polyglot_v1_GreetRequest req;
  polyglot_v1_GreetRequest_init(&req);
  req.name = pg_str("C");
  pg_future *f = polyglot_v1_AsGreeter_Greet(loop, &greeter, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  polyglot_v1_GreetReply reply;
  rc = polyglot_v1_AsGreeter_Greet_result(f, &reply, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: Greet: %s%s%s", pg_strerror(rc), rc > 0 ? ": " : "",
           rc > 0 ? (const char *)pg_future_result(f)->data.data : "");
    return 1;
  }
  int ok = printf("%.*s (from %.*s)\n", (int)reply.greeting.len, (const char *)reply.greeting.data,
                  (int)reply.language.len, (const char *)reply.language.data) >= 0 &&
           fflush(stdout) == 0;
  pg_future_free(f);
  return ok ? 0 : 1;
}
