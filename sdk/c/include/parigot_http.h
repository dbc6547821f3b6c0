/*
 * parigot_http.h: helpers for a C HTTP handler, a program that implements
 * parigot.http.v1.Handler (proto/parigot/http/v1/http.proto) through the
 * generated stubs, under a name of its own:
 *
 *   #include "parigot_http.h"
 *
 *   static void handle(pg_call *call, const pg_http_request *req, void *ctx) {
 *     pg_bytes name;
 *     if (pg_http_path_prefix(pg_http_path(req), "/hello/", &name)) {
 *       pg_http_reply(call, 200, "text/plain; charset=utf-8", name);
 *     } else {
 *       pg_http_reply(call, 404, "text/plain; charset=utf-8", pg_str("not found\n"));
 *     }
 *   }
 *   static const parigot_http_v1_Handler_handlers handlers = {.Handle = handle};
 *   parigot_http_v1_Handler_serve_as(loop, "web.v1.Front", &handlers, NULL);
 *
 * The exported name is the one the manifest exports and its [[http.route]]
 * names. sdk/c/parigot-cc links this helper (src/http/parigot_http.c) and the
 * stubs of http.proto into a program whose sources include this header.
 *
 * Nothing here allocates: every pg_bytes returned points into the request
 * (valid until the handler returns) or into the caller's buffer.
 */
#ifndef PARIGOT_HTTP_H
#define PARIGOT_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "parigot.h"
#include "parigot/http/v1/http.pg.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef parigot_http_v1_HttpRequest pg_http_request;

/* ---- the request ---- */

/* Whether the request's method is method (e.g. "GET"; exact, as HTTP is). */
bool pg_http_method_is(const pg_http_request *req, const char *method);

/*
 * The path below the route's prefix, still percent-encoded: for route "/api"
 * and path "/api/items/a%20b", "/items/a%20b"; "/" when the path is the
 * prefix itself. For route "/" it is the whole path.
 */
pg_bytes pg_http_path(const pg_http_request *req);

/* Whether path starts with prefix; if so *rest (may be NULL) is what follows. */
bool pg_http_path_prefix(pg_bytes path, const char *prefix, pg_bytes *rest);

/*
 * Takes the next segment off *path: skips one leading '/', then *segment is
 * the bytes up to the next '/' or the end (still percent-encoded), and *path
 * what follows. False, with *segment empty, when *path is empty.
 */
bool pg_http_next_segment(pg_bytes *path, pg_bytes *segment);

/*
 * The value of the first request header called name (compared without
 * regard to case; the kernel sends names lower-cased). False if there is none.
 */
bool pg_http_header(const pg_http_request *req, const char *name, pg_bytes *value);

/* How pg_http_unescape reads '+'. */
typedef enum pg_http_escape {
  PG_HTTP_PATH = 0,  /* '+' is itself: paths */
  PG_HTTP_QUERY = 1, /* '+' is a space: query strings and forms */
} pg_http_escape;

/*
 * Percent-decodes in into out[0..cap) and sets *len. PG_OK, PG_E_DECODE for a
 * '%' not followed by two hex digits, or PG_E_BUFFER if out is too small
 * (the result is never longer than in). The result may hold any byte, NUL
 * included: check it before using it as text.
 */
int32_t pg_http_unescape(pg_bytes in, pg_http_escape how, uint8_t *out, uint32_t cap,
                         uint32_t *len);

/*
 * Finds key in the request's query ("a=1&b=x%20y") and percent-decodes its
 * value (as PG_HTTP_QUERY) into out[0..cap), setting *len. Keys are compared
 * decoded; the first match wins; "key" without "=" has an empty value.
 * 1 if found, 0 if not, PG_E_DECODE for a bad escape in the key or value
 * looked at, PG_E_BUFFER if out is too small.
 */
int32_t pg_http_query(const pg_http_request *req, const char *key, uint8_t *out, uint32_t cap,
                      uint32_t *len);

/*
 * The request's body, when it came inline (req->body). A body too large to
 * come inline has req->body_id != 0 instead: read it with the generated
 * parigot_http_v1_Body client (the program must require
 * "parigot.http.v1.Body"). False for such a body.
 */
bool pg_http_inline_body(const pg_http_request *req, pg_bytes *body);

/* ---- the response ---- */

/* At most this many headers per response. */
#define PG_HTTP_MAX_HEADERS 32

/*
 * A response being built: pg_http_response_init, any pg_http_set_header, then
 * either pg_http_end alone (sent whole, with a Content-Length) or
 * pg_http_write any number of times and pg_http_end (streamed: chunked, each
 * write sent as it is made, so a body can exceed max_message_bytes; the
 * kernel holds back a guest whose client reads slowly). The status and the
 * headers go with the first write or the end; the name and value bytes of
 * every header must stay valid until then.
 */
typedef struct pg_http_response {
  pg_call *call;
  int32_t status;
  uint32_t header_count;
  parigot_http_v1_Header headers[PG_HTTP_MAX_HEADERS];
  bool started; /* the status and headers are sent */
  bool ended;
} pg_http_response;

/*
 * Starts a response to call with status (100 to 599; the kernel answers 502
 * for another, so the response's first write or end refuses it with
 * -PARIGOT_E_BAD_ARGUMENT and sends nothing).
 */
void pg_http_response_init(pg_http_response *r, pg_call *call, int32_t status);

/*
 * Adds a header. -PARIGOT_E_BAD_ARGUMENT once the headers are sent, for an
 * empty name, or for a name or value with a byte HTTP does not allow there
 * (names: a token; values: no control character but tab); PG_E_BUFFER past
 * PG_HTTP_MAX_HEADERS. Content-Length, Transfer-Encoding and Connection are
 * the kernel's: it drops them.
 */
int32_t pg_http_set_header(pg_http_response *r, const char *name, pg_bytes value);

/*
 * Sends chunk as the next part of a streamed body (a PARTIAL; the first also
 * carries the status and headers). 0, -PARIGOT_E_BAD_ARGUMENT for a bad
 * status, -PARIGOT_E_BAD_HANDLE after the end, or the error of sending
 * (e.g. -PARIGOT_E_CANCELLED when the client is gone: stop writing then).
 */
int32_t pg_http_write(pg_http_response *r, pg_bytes chunk);

/* Ends the response with a last (possibly empty) body part: the END. */
int32_t pg_http_end(pg_http_response *r, pg_bytes last);

/*
 * A whole response in one call: status, a Content-Type (none if
 * content_type is NULL) and the body. What pg_http_end returns.
 */
int32_t pg_http_reply(pg_call *call, int32_t status, const char *content_type, pg_bytes body);

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_HTTP_H */
