/*
 * front_test: checks the front door (front.c, "web.v1.Front") by calling its
 * parigot.http.v1.Handler Handle method directly, as the kernel's HTTP
 * ingress does for each request, with the greeter (greeter.c) behind it;
 * reports to parigot.test.v1.Test.
 *
 * Requests and responses use the stubs generated from the kernel's
 * proto/parigot/http/v1/http.proto. The generated connect would locate
 * "parigot.http.v1.Handler"; the front door serves that contract under its
 * own name, so the client is located by that name instead.
 */
#include <stdio.h>
#include <string.h>

#include "parigot/http/v1/http.pg.h"
#include "parigot_test.h"

#define FRONT_SERVICE "web.v1.Front"
#define GREETER_SERVICE "web.v1.Greeter"

static pg_loop *loop;
static parigot_http_v1_Handler_client front;

/* A response and the future that owns its memory. */
typedef struct response {
  int32_t rc; /* Handle_result's: 0, or the call's failure */
  parigot_http_v1_HttpResponse msg;
  pg_future *f;
} response;

/* Calls Handle with method, path and query, as the ingress would for route "/". */
static response handle_query(const char *method, const char *path, const char *query) {
  parigot_http_v1_HttpRequest req;
  parigot_http_v1_HttpRequest_init(&req);
  req.method = pg_str(method);
  req.path = pg_str(path);
  req.query = pg_str(query);
  req.route = pg_str("/");
  req.remote = pg_str("127.0.0.1:40000");
  response r = {0};
  parigot_http_v1_HttpResponse_init(&r.msg);
  r.f = parigot_http_v1_Handler_Handle(loop, &front, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, r.f);
  r.rc = parigot_http_v1_Handler_Handle_result(r.f, &r.msg, NULL);
  return r;
}

static response handle(const char *method, const char *path) {
  return handle_query(method, path, "");
}

/* The value of the response's header called name, or an empty one. */
static pg_bytes header(const parigot_http_v1_HttpResponse *m, const char *name) {
  for (uint32_t i = 0; i < m->headers.len; i++) {
    pg_bytes n = m->headers.items[i].name;
    if (n.len == strlen(name) && memcmp(n.data, name, n.len) == 0) {
      return m->headers.items[i].value;
    }
  }
  return (pg_bytes){0};
}

/* Checks that a response whole (no partials) has status and, unless NULL, body. */
static void expect_response(response r, int32_t status, const char *body) {
  if (pg_expect_eq_i64(r.rc, 0)) {
    pg_expect_eq_i64(pg_future_partial_count(r.f), 0);
    pg_expect_eq_i64(r.msg.status, status);
    if (body != NULL) pg_expect_eq_bytes(r.msg.body, pg_str(body));
    pg_expect_eq_bytes(header(&r.msg, "content-type"), pg_str("text/plain; charset=utf-8"));
  }
  pg_future_free(r.f);
}

/* Checks that method path is answered with status and, unless NULL, body. */
static void expect(const char *method, const char *path, int32_t status, const char *body) {
  expect_response(handle(method, path), status, body);
}

/* Checks that GET /count/N streams the lines 1 to n, one PARTIAL each, then an empty END. */
static void expect_count(uint32_t n) {
  char path[32];
  snprintf(path, sizeof path, "/count/%u", (unsigned)n);
  response r = handle("GET", path);
  if (pg_expect_eq_i64(r.rc, 0) && pg_expect_eq_i64(pg_future_partial_count(r.f), n)) {
    for (uint32_t i = 0; i < n; i++) {
      parigot_http_v1_HttpResponse part;
      static uint8_t mem[1024];
      pg_arena arena;
      pg_arena_init(&arena, mem, sizeof mem);
      if (!pg_expect_eq_i64(parigot_http_v1_Handler_Handle_decode_partial(
                                pg_future_partial(r.f, i), &part, &arena),
                            0)) {
        break;
      }
      char line[16];
      snprintf(line, sizeof line, "%u\n", (unsigned)(i + 1));
      pg_expect_eq_bytes(part.body, pg_str(line));
      /* The status and headers come with the first part only. */
      pg_expect_eq_i64(part.status, i == 0 ? 200 : 0);
      pg_expect_eq_i64(part.headers.len, i == 0 ? 1 : 0);
    }
    pg_expect_eq_i64(r.msg.body.len, 0);
  }
  pg_future_free(r.f);
}

int main(void) {
  loop = pg_loop_default();
  int32_t located = pg_locate(FRONT_SERVICE, &front.service);

  PG_TEST_CASE("the front door is reachable") {
    pg_expect_eq_i64(located, 0);
  }

  PG_TEST_CASE("GET /hello/NAME answers 200 with the greeter's greeting") {
    expect("GET", "/hello/parigot", 200, "Hello, parigot!\n");
    expect("GET", "/hello/a%20b", 200, "Hello, a b!\n");
  }

  PG_TEST_CASE("?shout=yes greets in capitals") {
    expect_response(handle_query("GET", "/hello/parigot", "shout=yes"), 200, "HELLO, PARIGOT!\n");
    expect_response(handle_query("GET", "/hello/parigot", "x=1&shout=y%65s"), 200,
                    "HELLO, PARIGOT!\n");
    expect_response(handle_query("GET", "/hello/parigot", "shout=no"), 200, "Hello, parigot!\n");
  }

  PG_TEST_CASE("GET / answers 200 with a line of usage") {
    expect("GET", "/", 200, "try GET /hello/NAME or GET /count/N\n");
  }

  PG_TEST_CASE("GET /count/N streams N lines, one part each") {
    expect_count(1);
    expect_count(3);
    expect_count(20);
  }

  PG_TEST_CASE("a count that is not from 1 to 1000 is 400") {
    expect("GET", "/count/0", 400, "N is a number from 1 to 1000\n");
    expect("GET", "/count/1001", 400, NULL);
    expect("GET", "/count/x", 400, NULL);
    expect("GET", "/count/", 400, NULL);
  }

  PG_TEST_CASE("a path the front door does not know is 404") {
    expect("GET", "/nothing", 404, "not found\n");
    expect("GET", "/hello", 404, "not found\n");
    expect("POST", "/elsewhere", 404, "not found\n");
  }

  PG_TEST_CASE("a method other than GET on a known path is 405") {
    expect("POST", "/hello/parigot", 405, "only GET is served here\n");
    expect("DELETE", "/", 405, "only GET is served here\n");
    expect("PUT", "/count/2", 405, "only GET is served here\n");
  }

  PG_TEST_CASE("a name the greeter refuses is 400") {
    /* A missing name, and one longer than the greeter's 64 bytes. */
    expect("GET", "/hello/", 400, NULL);
    char path[7 + 65 + 1] = "/hello/";
    memset(path + 7, 'x', 65);
    path[7 + 65] = '\0';
    expect("GET", path, 400, NULL);
    /* The longest name it takes still works. */
    path[7 + 64] = '\0';
    expect("GET", path, 200, NULL);
    /* A bad escape, and an escape that is not UTF-8. */
    expect("GET", "/hello/a%zz", 400, "a bad %-escape in the name\n");
    expect("GET", "/hello/a%ff", 400, NULL);
  }

  PG_TEST_CASE("a call that is not a Handle request fails with the dispatcher's codes") {
    static const uint8_t garbage[] = {0xff};
    pg_future *f = pg_call(loop, front.service, 2, pg_str(""), PARIGOT_TIMEOUT_DEFAULT);
    pg_await(loop, f);
    pg_expect_eq_i64(pg_future_result(f)->status, PG_STATUS_UNIMPLEMENTED);
    pg_future_free(f);
    f = pg_call(loop, front.service, parigot_http_v1_Handler_Handle_METHOD,
                (pg_bytes){garbage, sizeof garbage}, PARIGOT_TIMEOUT_DEFAULT);
    pg_await(loop, f);
    pg_expect_eq_i64(pg_future_result(f)->status, PG_STATUS_INVALID_ARGUMENT);
    pg_future_free(f);
  }

  PG_TEST_CASE("a program that does not require web.v1.Greeter cannot reach it") {
    int32_t greeter;
    pg_expect_eq_i64(pg_locate(GREETER_SERVICE, &greeter), -PARIGOT_E_NOT_PERMITTED);
  }

  return pg_test_exit_code();
}
