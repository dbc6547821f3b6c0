/*
 * handler: a parigot.http.v1.Handler for the HTTP ingress tests.
 *
 * It serves the name in argv[1] and answers by the request's path below its
 * route's prefix:
 *
 *   /echo          200, the request body back, and the request as headers
 *                  x-method, x-path, x-query, x-route, x-headers (a count)
 *   /big?N         200, N bytes ('a' + i % 26) streamed in 64 KiB PARTIALs:
 *                  the first carries the status and headers, the END is empty
 *   /fail          application error 9 "out of stock"
 *   /die           traps, killing the process
 *   /garbage       an END that is not an HttpResponse
 *   /nostatus      an END HttpResponse without a status
 *   /slow          never answers
 *   /sum[?twice]   reads a body that did not come inline through
 *                  parigot.http.v1.Body (an inline one is summed as is) and
 *                  answers 200 "LENGTH FNV1A32", with headers x-streamed (1
 *                  if it came through Body) and, with ?twice, x-second: the
 *                  status of a second Read of the same id
 *   anything else  404 "not here"
 *
 * The protobuf messages are encoded by hand with the SDK's wire helpers
 * (parigot_wire.h): the fields are few and the C generator's service stubs
 * would export the proto's own name, which is under the kernel's prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot.h"
#include "parigot_wire.h"

#define CHUNK (64 * 1024)

typedef struct request {
  pg_bytes method, path, query, body, route;
  uint32_t headers;
  uint64_t body_id;
} request;

/* Decodes the fields of an HttpRequest this guest uses; PG_OK or PG_E_DECODE. */
static int32_t decode(pg_bytes in, request *r) {
  memset(r, 0, sizeof *r);
  pg_reader rd = pg_reader_of(in.data, in.len);
  while (!pg_reader_done(&rd)) {
    uint32_t field, wt;
    int32_t rc = pg_read_tag(&rd, &field, &wt);
    if (rc != PG_OK) return rc;
    pg_bytes *dst = field == 1   ? &r->method
                    : field == 2 ? &r->path
                    : field == 3 ? &r->query
                    : field == 5 ? &r->body
                    : field == 6 ? &r->route
                                 : NULL;
    if (field == 8) {
      rc = pg_read_varint_field(&rd, wt, &r->body_id);
    } else if (field == 4 && wt == PG_WT_LEN) {
      pg_bytes ignored;
      rc = pg_read_len(&rd, &ignored);
      r->headers++;
    } else if (dst != NULL && wt == PG_WT_LEN) {
      rc = pg_read_len(&rd, dst);
    } else {
      rc = pg_skip(&rd, wt);
    }
    if (rc != PG_OK) return rc;
  }
  return PG_OK;
}

static void header(pg_writer *w, const char *name, pg_bytes value) {
  pg_bytes n = pg_str(name);
  pg_write_tag(w, 2, PG_WT_LEN);
  pg_write_varint(w, pg_tag_size(1) + pg_len_size(n.len) + pg_tag_size(2) + pg_len_size(value.len));
  pg_write_tag(w, 1, PG_WT_LEN);
  pg_write_len(w, n);
  pg_write_tag(w, 2, PG_WT_LEN);
  pg_write_len(w, value);
}

static void status(pg_writer *w, int32_t code) {
  pg_write_tag(w, 1, PG_WT_VARINT);
  pg_write_varint(w, (uint64_t)code);
}

static void body(pg_writer *w, pg_bytes b) {
  pg_write_tag(w, 3, PG_WT_LEN);
  pg_write_len(w, b);
}

static pg_bytes written(const pg_writer *w) { return (pg_bytes){w->buf, w->pos}; }

/* The request path below the route's prefix ("/" for the prefix itself). */
static pg_bytes below(const request *r) {
  uint32_t skip = r->route.len == 1 ? 0 : r->route.len; /* route "/" keeps the path */
  if (skip >= r->path.len) return pg_str("/");
  return (pg_bytes){r->path.data + skip, r->path.len - skip};
}

static int is(pg_bytes b, const char *s) {
  return b.len == strlen(s) && memcmp(b.data, s, b.len) == 0;
}

static void echo(pg_call *call, const request *r) {
  char count[16];
  snprintf(count, sizeof count, "%u", (unsigned)r->headers);
  uint32_t cap = r->method.len + r->path.len + r->query.len + r->route.len + r->body.len + 256;
  pg_writer w = pg_writer_of(pg_scratch(cap), cap);
  status(&w, 200);
  header(&w, "x-method", r->method);
  header(&w, "x-path", r->path);
  header(&w, "x-query", r->query);
  header(&w, "x-route", r->route);
  header(&w, "x-headers", pg_str(count));
  body(&w, r->body);
  pg_call_end(call, written(&w));
}

static void big(pg_call *call, const request *r) {
  char digits[16] = {0};
  memcpy(digits, r->query.data, r->query.len < 15 ? r->query.len : 15);
  long left = atol(digits);
  static uint8_t chunk[CHUNK];
  static uint8_t out[CHUNK + 128];
  for (uint32_t i = 0; i < CHUNK; i++) chunk[i] = (uint8_t)('a' + i % 26);
  int first = 1;
  while (left > 0) {
    uint32_t n = left < CHUNK ? (uint32_t)left : CHUNK;
    pg_writer w = pg_writer_of(out, sizeof out);
    if (first) {
      status(&w, 200);
      header(&w, "content-type", pg_str("application/octet-stream"));
      first = 0;
    }
    body(&w, (pg_bytes){chunk, n});
    if (pg_call_partial(call, written(&w)) != 0) return; /* the client went away */
    left -= n;
  }
  pg_writer w = pg_writer_of(out, sizeof out);
  if (first) status(&w, 200);
  pg_call_end(call, written(&w));
}

/* A /sum in progress: the body's length and FNV-1a hash so far. */
typedef struct summing {
  pg_call *call;
  uint64_t id, len;
  uint32_t hash;
  int streamed, twice;
} summing;

static void add(summing *s, pg_bytes b) {
  for (uint32_t i = 0; i < b.len; i++) {
    s->hash = (s->hash ^ b.data[i]) * 16777619u;
  }
  s->len += b.len;
}

/* Adds the data of one BodyChunk. */
static void chunk(summing *s, pg_bytes msg) {
  pg_reader rd = pg_reader_of(msg.data, msg.len);
  while (!pg_reader_done(&rd)) {
    uint32_t field, wt;
    if (pg_read_tag(&rd, &field, &wt) != PG_OK) return;
    pg_bytes data;
    if (field == 1 && wt == PG_WT_LEN) {
      if (pg_read_len(&rd, &data) != PG_OK) return;
      add(s, data);
    } else if (pg_skip(&rd, wt) != PG_OK) {
      return;
    }
  }
}

static void on_chunk(pg_future *f, pg_bytes partial, void *ctx) {
  (void)f;
  chunk(ctx, partial);
}

static pg_future *read_body(uint64_t id) {
  static int32_t svc = -1;
  if (svc < 0 && pg_locate("parigot.http.v1.Body", &svc) != 0) {
    return pg_future_failed(pg_loop_default(), PG_E_DECODE); /* not required: the reply says so */
  }
  uint8_t req[16];
  pg_writer w = pg_writer_of(req, sizeof req);
  pg_write_tag(&w, 1, PG_WT_VARINT);
  pg_write_varint(&w, id);
  return pg_call(pg_loop_default(), svc, 1, written(&w), -1);
}

static void sum_reply(summing *s, int32_t second) {
  char text[64], streamed[4], status2[16];
  snprintf(text, sizeof text, "%llu %08x", (unsigned long long)s->len, (unsigned)s->hash);
  snprintf(streamed, sizeof streamed, "%d", s->streamed);
  snprintf(status2, sizeof status2, "%d", (int)second);
  uint8_t buf[256];
  pg_writer w = pg_writer_of(buf, sizeof buf);
  status(&w, 200);
  header(&w, "x-streamed", pg_str(streamed));
  if (s->twice) header(&w, "x-second", pg_str(status2));
  body(&w, pg_str(text));
  pg_call_end(s->call, written(&w));
  free(s);
}

static void on_second(pg_future *f, void *ctx) {
  int32_t st = pg_future_result(f)->status;
  pg_future_free(f);
  sum_reply(ctx, st);
}

static void on_read(pg_future *f, void *ctx) {
  summing *s = ctx;
  const pg_result *r = pg_future_result(f);
  if (r->status != 0) {
    pg_call_fail(s->call, 13, "reading the body failed");
    pg_future_free(f);
    free(s);
    return;
  }
  chunk(s, r->data); /* the END carries the last chunk */
  pg_future_free(f);
  if (s->twice) {
    pg_future_on_done(read_body(s->id), on_second, s);
  } else {
    sum_reply(s, 0);
  }
}

static void sum(pg_call *call, const request *r) {
  summing *s = calloc(1, sizeof *s);
  if (s == NULL) {
    pg_call_fail(call, 13, "out of memory");
    return;
  }
  s->call = call;
  s->id = r->body_id;
  s->hash = 2166136261u;
  s->twice = is(r->query, "twice");
  if (r->body_id == 0) {
    add(s, r->body);
    sum_reply(s, 0);
    return;
  }
  s->streamed = 1;
  pg_future *f = read_body(r->body_id);
  pg_future_on_partial(f, on_chunk, s);
  pg_future_on_done(f, on_read, s);
}

static void handle(pg_call *call, int32_t method, pg_bytes req, void *ctx) {
  (void)ctx;
  request r;
  if (method != 1 || decode(req, &r) != PG_OK) {
    pg_call_fail(call, 3, "not a Handle request");
    return;
  }
  pg_bytes path = below(&r);
  uint8_t buf[128];
  pg_writer w = pg_writer_of(buf, sizeof buf);
  if (is(path, "/echo")) {
    echo(call, &r);
  } else if (is(path, "/big")) {
    big(call, &r);
  } else if (is(path, "/fail")) {
    pg_call_fail(call, 9, "out of stock");
  } else if (is(path, "/die")) {
    __builtin_trap();
  } else if (is(path, "/garbage")) {
    pg_call_end(call, pg_str("\xff\xff\xff"));
  } else if (is(path, "/nostatus")) {
    body(&w, pg_str("no status"));
    pg_call_end(call, written(&w));
  } else if (is(path, "/sum")) {
    sum(call, &r);
  } else if (is(path, "/slow")) {
    /* never answered: the ingress's deadline ends it */
  } else {
    status(&w, 404);
    body(&w, pg_str("not here"));
    pg_call_end(call, written(&w));
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    pg_log(PG_LOG_ERROR, "handler: usage: handler SERVICE");
    return 2;
  }
  pg_loop *loop = pg_loop_default();
  int32_t rc = pg_serve(loop, argv[1], handle, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "handler: serve %s: %s", argv[1], pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "handler: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
