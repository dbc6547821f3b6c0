/*
 * front: @NAME@'s HTTP front door. It implements parigot.http.v1.Handler
 * (the kernel's proto/parigot/http/v1/http.proto) under the name
 * "@IDENT@.v1.Front", which app.toml's [[http.route]] maps to "/":
 *
 *   GET /hello/NAME   200 "Hello, NAME!"
 *   GET /             200 with a line of usage
 *   anything else     404, or 405 for a method other than GET
 *
 * HttpRequest and HttpResponse are encoded with the SDK's wire helpers
 * (parigot_wire.h): the generated server stub would serve the kernel's own
 * name, parigot.http.v1.Handler, which an app may not export.
 */
#include <stdio.h>
#include <string.h>

#include "parigot.h"
#include "parigot_wire.h"

#define FRONT_SERVICE "@IDENT@.v1.Front"

/* The HttpRequest fields this front door reads: method (1) and path (2). */
typedef struct request {
  pg_bytes method, path;
} request;

static int32_t decode(pg_bytes in, request *r) {
  memset(r, 0, sizeof *r);
  pg_reader rd = pg_reader_of(in.data, in.len);
  while (!pg_reader_done(&rd)) {
    uint32_t field, wt;
    int32_t rc = pg_read_tag(&rd, &field, &wt);
    if (rc != PG_OK) return rc;
    if ((field == 1 || field == 2) && wt == PG_WT_LEN) {
      rc = pg_read_len(&rd, field == 1 ? &r->method : &r->path);
    } else {
      rc = pg_skip(&rd, wt);
    }
    if (rc != PG_OK) return rc;
  }
  return PG_OK;
}

/* Ends the call with an HttpResponse: status (1) and body (3), as text. */
static void respond(pg_call *call, int32_t status, pg_bytes body) {
  static const char type_name[] = "content-type";
  static const char type_value[] = "text/plain; charset=utf-8";
  pg_bytes name = {(const uint8_t *)type_name, sizeof type_name - 1};
  pg_bytes value = {(const uint8_t *)type_value, sizeof type_value - 1};
  uint32_t header =
      pg_tag_size(1) + pg_len_size(name.len) + pg_tag_size(2) + pg_len_size(value.len);
  uint32_t cap = body.len + header + 32;
  uint8_t *buf = pg_scratch(cap);
  if (buf == NULL) {
    pg_call_fail(call, 8, "out of memory");
    return;
  }
  pg_writer w = pg_writer_of(buf, cap);
  pg_write_tag(&w, 1, PG_WT_VARINT);
  pg_write_varint(&w, (uint64_t)status);
  pg_write_tag(&w, 2, PG_WT_LEN); /* one header */
  pg_write_varint(&w, header);
  pg_write_tag(&w, 1, PG_WT_LEN);
  pg_write_len(&w, name);
  pg_write_tag(&w, 2, PG_WT_LEN);
  pg_write_len(&w, value);
  pg_write_tag(&w, 3, PG_WT_LEN);
  pg_write_len(&w, body);
  int32_t rc = pg_call_end(call, (pg_bytes){buf, w.pos});
  if (rc < 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "front: reply: %s", pg_strerror(rc));
  }
}

static int is(pg_bytes b, const char *s) {
  return b.len == strlen(s) && memcmp(b.data, s, b.len) == 0;
}

static int starts_with(pg_bytes b, const char *prefix) {
  size_t n = strlen(prefix);
  return b.len >= n && memcmp(b.data, prefix, n) == 0;
}

static void handle(pg_call *call, int32_t method, pg_bytes req, void *ctx) {
  (void)ctx;
  request r;
  if (method != 1 || decode(req, &r) != PG_OK) {
    pg_call_fail(call, 3, "not a parigot.http.v1.Handler Handle request");
    return;
  }
  int known = is(r.path, "/") || starts_with(r.path, "/hello/");
  if (!known) {
    respond(call, 404, pg_str("not found\n"));
  } else if (!is(r.method, "GET")) {
    respond(call, 405, pg_str("only GET is served here\n"));
  } else if (is(r.path, "/")) {
    respond(call, 200, pg_str("try GET /hello/NAME\n"));
  } else {
    char text[256];
    int n = snprintf(text, sizeof text, "Hello, %.*s!\n", (int)(r.path.len - 7),
                     (const char *)r.path.data + 7);
    if (n < 0 || n >= (int)sizeof text) {
      respond(call, 414, pg_str("the name is too long\n"));
    } else {
      respond(call, 200, (pg_bytes){(const uint8_t *)text, (uint32_t)n});
    }
  }
}

int main(void) {
  pg_loop *loop = pg_loop_default();
  int32_t rc = pg_serve(loop, FRONT_SERVICE, handle, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "front: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "front: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
