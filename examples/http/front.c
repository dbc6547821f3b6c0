/*
 * front: the HTTP front door of the http example.
 *
 * It implements parigot.http.v1.Handler (proto/parigot/http/v1/http.proto)
 * through the generated stub, exported as "web.v1.Front" with
 * parigot_http_v1_Handler_serve_as: the manifest's [[http.route]] maps the
 * path prefix "/" to that name. parigot_http.h reads the request and builds
 * the response:
 *
 *   GET /hello/NAME   calls web.v1.Greeter's Greet with NAME, percent-decoded,
 *                     and answers 200 with the greeting (in capitals with
 *                     ?shout=yes); 400 for a name the greeter refuses or a
 *                     bad escape, 502 if the greeter cannot be reached
 *   GET /count/N      streams the lines 1 to N (N from 1 to 1000), one
 *                     chunk each
 *   GET /             200 with a line of usage
 *   anything else     404, or 405 for a method other than GET on a known path
 *
 * Each request is one call from the kernel: the handler awaits the greeter
 * (pg_await keeps serving other requests meanwhile) and then answers.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "greeter.pg.h"
#include "parigot_http.h"

#define FRONT_SERVICE "web.v1.Front"
#define TEXT "text/plain; charset=utf-8"
#define MAX_COUNT 1000

static pg_loop *loop;
static web_v1_Greeter_client greeter;

static void reply(pg_call *call, int32_t status, pg_bytes body) {
  int32_t rc = pg_http_reply(call, status, TEXT, body);
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "front: reply: %s", pg_strerror(rc));
  }
}

static void hello(pg_call *call, const pg_http_request *req, pg_bytes escaped) {
  /* A name the greeter takes is at most 64 bytes: a larger buffer lets it say so. */
  uint8_t name[256];
  uint32_t len = 0;
  int32_t rc = pg_http_unescape(escaped, PG_HTTP_PATH, name, sizeof name, &len);
  if (rc == PG_E_DECODE) {
    reply(call, 400, pg_str("a bad %-escape in the name\n"));
    return;
  }
  uint8_t shout[8];
  uint32_t shout_len = 0;
  int loud = pg_http_query(req, "shout", shout, sizeof shout, &shout_len) == 1 &&
             shout_len == 3 && memcmp(shout, "yes", 3) == 0;

  web_v1_GreetRequest greet;
  web_v1_GreetRequest_init(&greet);
  /* Too long for the buffer: still too long for the greeter, which says so. */
  greet.name = rc == PG_OK ? (pg_bytes){name, len} : escaped;
  pg_future *f = web_v1_Greeter_Greet(loop, &greeter, &greet, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  web_v1_GreetReply greeting;
  rc = web_v1_Greeter_Greet_result(f, &greeting, NULL);
  if (rc == 0 && loud) {
    uint8_t text[128];
    uint32_t n = greeting.greeting.len < sizeof text ? greeting.greeting.len : sizeof text;
    for (uint32_t i = 0; i < n; i++) text[i] = (uint8_t)toupper(greeting.greeting.data[i]);
    reply(call, 200, (pg_bytes){text, n});
  } else if (rc == 0) {
    reply(call, 200, greeting.greeting);
  } else if (rc == web_v1_GreeterError_GREETER_ERROR_BAD_NAME ||
             rc == PG_STATUS_INVALID_ARGUMENT) { /* a name that is not UTF-8 */
    reply(call, 400, pg_future_result(f)->data);
  } else {
    char msg[128];
    int n = snprintf(msg, sizeof msg, "the greeter failed: %s\n", pg_strerror(rc));
    reply(call, 502, (pg_bytes){(const uint8_t *)msg, (uint32_t)n});
  }
  pg_future_free(f);
}

/* The lines 1 to n, each its own chunk of a streamed response. */
static void count(pg_call *call, pg_bytes n_text) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < n_text.len && n <= MAX_COUNT; i++) {
    uint8_t c = n_text.data[i];
    n = isdigit(c) ? n * 10 + (c - '0') : MAX_COUNT + 1;
  }
  if (n == 0 || n > MAX_COUNT) {
    reply(call, 400, pg_str("N is a number from 1 to 1000\n"));
    return;
  }
  pg_http_response r;
  pg_http_response_init(&r, call, 200);
  pg_http_set_header(&r, "content-type", pg_str(TEXT));
  int32_t rc = 0;
  for (uint32_t i = 1; i <= n && rc == 0; i++) {
    char line[16];
    int len = snprintf(line, sizeof line, "%u\n", (unsigned)i);
    rc = pg_http_write(&r, (pg_bytes){(const uint8_t *)line, (uint32_t)len});
  }
  if (rc == 0) rc = pg_http_end(&r, (pg_bytes){0});
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "front: count: %s", pg_strerror(rc));
  }
}

static void handle(pg_call *call, const pg_http_request *req, void *ctx) {
  (void)ctx;
  pg_bytes path = pg_http_path(req), rest;
  int is_root = path.len == 1;
  int is_hello = pg_http_path_prefix(path, "/hello/", &rest);
  int is_count = !is_hello && pg_http_path_prefix(path, "/count/", &rest);
  if ((is_root || is_hello || is_count) && !pg_http_method_is(req, "GET")) {
    reply(call, 405, pg_str("only GET is served here\n"));
  } else if (is_root) {
    reply(call, 200, pg_str("try GET /hello/NAME or GET /count/N\n"));
  } else if (is_hello) {
    hello(call, req, rest);
  } else if (is_count) {
    count(call, rest);
  } else {
    reply(call, 404, pg_str("not found\n"));
  }
}

int main(void) {
  static const parigot_http_v1_Handler_handlers handlers = {.Handle = handle};
  loop = pg_loop_default();
  int32_t rc = web_v1_Greeter_connect(&greeter);
  if (rc == 0) rc = parigot_http_v1_Handler_serve_as(loop, FRONT_SERVICE, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "front: start: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "front: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
