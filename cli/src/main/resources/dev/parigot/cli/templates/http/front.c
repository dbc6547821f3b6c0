/*
 * front: @NAME@'s HTTP front door. It implements parigot.http.v1.Handler
 * (the kernel's proto/parigot/http/v1/http.proto) through the generated
 * stub, exported as "@IDENT@.v1.Front" with parigot_http_v1_Handler_serve_as:
 * app.toml's [[http.route]] maps "/" to that name. parigot_http.h reads the
 * request and writes the response:
 *
 *   GET /hello/NAME   200 "Hello, NAME!" (NAME percent-decoded)
 *   GET /             200 with a line of usage
 *   anything else     404, or 405 for a method other than GET
 */
#include <stdio.h>

#include "parigot_http.h"

#define FRONT_SERVICE "@IDENT@.v1.Front"
#define TEXT "text/plain; charset=utf-8"

static void reply(pg_call *call, int32_t status, pg_bytes body) {
  int32_t rc = pg_http_reply(call, status, TEXT, body);
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "front: reply: %s", pg_strerror(rc));
  }
}

static void hello(pg_call *call, pg_bytes escaped) {
  uint8_t name[200];
  uint32_t len = 0;
  int32_t rc = pg_http_unescape(escaped, PG_HTTP_PATH, name, sizeof name, &len);
  if (rc == PG_E_DECODE) {
    reply(call, 400, pg_str("a bad %-escape in the name\n"));
    return;
  }
  if (rc != PG_OK) {
    reply(call, 414, pg_str("the name is too long\n"));
    return;
  }
  char text[256];
  int n = snprintf(text, sizeof text, "Hello, %.*s!\n", (int)len, (const char *)name);
  reply(call, 200, (pg_bytes){(const uint8_t *)text, (uint32_t)n});
}

static void handle(pg_call *call, const pg_http_request *req, void *ctx) {
  (void)ctx;
  pg_bytes path = pg_http_path(req), rest;
  int is_root = path.len == 1;
  int is_hello = pg_http_path_prefix(path, "/hello/", &rest);
  if ((is_root || is_hello) && !pg_http_method_is(req, "GET")) {
    reply(call, 405, pg_str("only GET is served here\n"));
  } else if (is_root) {
    reply(call, 200, pg_str("try GET /hello/NAME\n"));
  } else if (is_hello) {
    hello(call, rest);
  } else {
    reply(call, 404, pg_str("not found\n"));
  }
}

int main(void) {
  static const parigot_http_v1_Handler_handlers handlers = {.Handle = handle};
  pg_loop *loop = pg_loop_default();
  int32_t rc = parigot_http_v1_Handler_serve_as(loop, FRONT_SERVICE, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "front: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "front: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
