/*
 * main: calls @IDENT@.v1.Greeter's Greet with its first argument and prints
 * the greeting; exits 1 if the call fails.
 */
#include <stdio.h>

#include "@IDENT@.pg.h"

int main(int argc, char **argv) {
  pg_loop *loop = pg_loop_default();
  @IDENT@_v1_Greeter_client greeter;
  int32_t rc = @IDENT@_v1_Greeter_connect(&greeter);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: connect: %s", pg_strerror(rc));
    return 1;
  }
  @IDENT@_v1_GreetRequest req;
  @IDENT@_v1_GreetRequest_init(&req);
  req.name = pg_str(argc > 1 ? argv[1] : "world");
  pg_future *f = @IDENT@_v1_Greeter_Greet(loop, &greeter, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  @IDENT@_v1_GreetReply reply;
  rc = @IDENT@_v1_Greeter_Greet_result(f, &reply, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: Greet: %s", pg_strerror(rc));
    pg_future_free(f);
    return 1;
  }
  printf("%.*s\n", (int)reply.greeting.len, (const char *)reply.greeting.data);
  fflush(stdout);
  pg_future_free(f);
  return 0;
}
