/*
 * front_test: checks the front door (front.c) by calling its
 * parigot.http.v1.Handler Handle method directly, as the kernel's HTTP
 * ingress does for each request; reports to parigot.test.v1.Test.
 */
#include "parigot/http/v1/http.pg.h"
#include "parigot_test.h"

#define FRONT_SERVICE "@IDENT@.v1.Front"

static pg_loop *loop;
static parigot_http_v1_Handler_client front;

/* Checks that method path is answered with status and body. */
static void expect(const char *method, const char *path, int32_t status, const char *body) {
  parigot_http_v1_HttpRequest req;
  parigot_http_v1_HttpRequest_init(&req);
  req.method = pg_str(method);
  req.path = pg_str(path);
  req.route = pg_str("/");
  parigot_http_v1_HttpResponse res;
  parigot_http_v1_HttpResponse_init(&res);
  pg_future *f = parigot_http_v1_Handler_Handle(loop, &front, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  if (pg_expect_eq_i64(parigot_http_v1_Handler_Handle_result(f, &res, NULL), 0)) {
    pg_expect_eq_i64(res.status, status);
    pg_expect_eq_bytes(res.body, pg_str(body));
  }
  pg_future_free(f);
}

int main(void) {
  loop = pg_loop_default();
  /* Located by the front door's own name: connect would ask for the kernel's. */
  int32_t located = pg_locate(FRONT_SERVICE, &front.service);

  PG_TEST_CASE("the front door is reachable") {
    pg_expect_eq_i64(located, 0);
  }

  PG_TEST_CASE("GET /hello/NAME greets NAME") {
    expect("GET", "/hello/parigot", 200, "Hello, parigot!\n");
  }

  PG_TEST_CASE("an unknown path is 404") {
    expect("GET", "/nope", 404, "not found\n");
  }

  PG_TEST_CASE("a POST is 405") {
    expect("POST", "/hello/x", 405, "only GET is served here\n");
  }

  return pg_test_exit_code();
}
