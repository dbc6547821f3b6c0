/*
 * service_test: checks @IDENT@.v1.Greeter (service.c) through its client
 * stub and reports to parigot.test.v1.Test; `parigot test app.toml` runs it.
 */
#include "@IDENT@.pg.h"
#include "parigot_test.h"

static pg_loop *loop;
static @IDENT@_v1_Greeter_client greeter;

/* Greets name: the call's status, and the greeting in *out (freed with *f). */
static int32_t greet(const char *name, @IDENT@_v1_GreetReply *out, pg_future **f) {
  @IDENT@_v1_GreetRequest req;
  @IDENT@_v1_GreetRequest_init(&req);
  req.name = pg_str(name);
  *f = @IDENT@_v1_Greeter_Greet(loop, &greeter, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, *f);
  return @IDENT@_v1_Greeter_Greet_result(*f, out, NULL);
}

int main(void) {
  loop = pg_loop_default();
  int32_t connected = @IDENT@_v1_Greeter_connect(&greeter);

  PG_TEST_CASE("the greeter is reachable") {
    pg_expect_eq_i64(connected, 0);
  }

  PG_TEST_CASE("a name is greeted") {
    @IDENT@_v1_GreetReply reply;
    pg_future *f;
    if (pg_expect_eq_i64(greet("parigot", &reply, &f), 0)) {
      pg_expect_eq_bytes(reply.greeting, pg_str("Hello, parigot!"));
    }
    pg_future_free(f);
  }

  PG_TEST_CASE("an empty name is refused with the service's own code") {
    @IDENT@_v1_GreetReply reply;
    pg_future *f;
    pg_expect_eq_i64(greet("", &reply, &f), PG_APP_CODE_MIN + 1);
    pg_future_free(f);
  }

  return pg_test_exit_code();
}
