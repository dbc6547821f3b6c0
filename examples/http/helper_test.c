/*
 * helper_test: checks the C SDK's HTTP helper (parigot_http.h) on requests
 * built here, bad input included: what front.c relies on, and what it does
 * not reach. Reports to parigot.test.v1.Test.
 */
#include <string.h>

#include "parigot_http.h"
#include "parigot_test.h"

static pg_http_request request(const char *path, const char *route, const char *query) {
  pg_http_request req;
  parigot_http_v1_HttpRequest_init(&req);
  req.method = pg_str("GET");
  req.path = pg_str(path);
  req.route = pg_str(route);
  req.query = pg_str(query);
  return req;
}

/* The query parameter key of query, or "<absent>", or "<error N>". */
static const char *query(const char *q, const char *key) {
  static char out[64];
  pg_http_request req = request("/", "/", q);
  uint32_t len = 0;
  int32_t rc = pg_http_query(&req, key, (uint8_t *)out, sizeof out - 1, &len);
  if (rc == 0) return "<absent>";
  if (rc < 0) return rc == PG_E_DECODE ? "<bad escape>" : "<too long>";
  out[len] = '\0';
  return out;
}

int main(void) {
  PG_TEST_CASE("the path is the one below the route's prefix") {
    pg_http_request a = request("/api/items/a%20b", "/api", "");
    pg_expect_eq_bytes(pg_http_path(&a), pg_str("/items/a%20b"));
    pg_http_request b = request("/api", "/api", "");
    pg_expect_eq_bytes(pg_http_path(&b), pg_str("/"));
    pg_http_request c = request("/api/items", "/api/", "");
    pg_expect_eq_bytes(pg_http_path(&c), pg_str("/items"));
    pg_http_request d = request("/x/y", "/", "");
    pg_expect_eq_bytes(pg_http_path(&d), pg_str("/x/y"));
    /* A route that is not a prefix of the path leaves it whole. */
    pg_http_request e = request("/apix", "/api", "");
    pg_expect_eq_bytes(pg_http_path(&e), pg_str("/apix"));
  }

  PG_TEST_CASE("paths match by prefix and split into segments") {
    pg_bytes rest;
    pg_expect_true(pg_http_path_prefix(pg_str("/hello/x"), "/hello/", &rest));
    pg_expect_eq_bytes(rest, pg_str("x"));
    pg_expect_true(!pg_http_path_prefix(pg_str("/hell"), "/hello/", &rest));
    pg_bytes path = pg_str("/a//b%2F"), seg;
    const char *want[] = {"a", "", "b%2F"};
    for (int i = 0; i < 3; i++) {
      pg_expect_true(pg_http_next_segment(&path, &seg));
      pg_expect_eq_bytes(seg, pg_str(want[i]));
    }
    pg_expect_true(!pg_http_next_segment(&path, &seg));
    pg_expect_eq_i64(seg.len, 0);
  }

  PG_TEST_CASE("percent-decoding refuses a bad escape and a small buffer") {
    uint8_t out[8];
    uint32_t len = 0;
    pg_expect_eq_i64(pg_http_unescape(pg_str("a%20b+c"), PG_HTTP_PATH, out, sizeof out, &len), 0);
    pg_expect_eq_bytes(((pg_bytes){out, len}), pg_str("a b+c"));
    pg_expect_eq_i64(pg_http_unescape(pg_str("a%20b+c"), PG_HTTP_QUERY, out, sizeof out, &len), 0);
    pg_expect_eq_bytes(((pg_bytes){out, len}), pg_str("a b c"));
    const char *bad[] = {"%", "%2", "%zz", "a%g0", "%%"};
    for (int i = 0; i < 5; i++) {
      pg_expect_eq_i64(pg_http_unescape(pg_str(bad[i]), PG_HTTP_PATH, out, sizeof out, &len),
                       PG_E_DECODE);
    }
    pg_expect_eq_i64(pg_http_unescape(pg_str("123456789"), PG_HTTP_PATH, out, sizeof out, &len),
                     PG_E_BUFFER);
    /* A NUL comes through: the caller checks text. */
    pg_expect_eq_i64(pg_http_unescape(pg_str("%00"), PG_HTTP_PATH, out, sizeof out, &len), 0);
    pg_expect_eq_i64(len, 1);
  }

  PG_TEST_CASE("a query parameter is found by its decoded key, first match first") {
    pg_expect_eq_str(query("a=1&b=x%20y+z", "b"), "x y z");
    pg_expect_eq_str(query("a=1&a=2", "a"), "1");
    pg_expect_eq_str(query("flag&b=2", "flag"), "");
    pg_expect_eq_str(query("my%20key=v", "my key"), "v");
    pg_expect_eq_str(query("a=1", "b"), "<absent>");
    pg_expect_eq_str(query("", "a"), "<absent>");
    pg_expect_eq_str(query("a=%zz", "a"), "<bad escape>");
    pg_expect_eq_str(query("%z=1", "a"), "<bad escape>");
    pg_expect_eq_str(query("a=0123456789012345678901234567890123456789012345678901234567890123",
                           "a"),
                     "<too long>");
  }

  PG_TEST_CASE("headers are found without regard to case") {
    parigot_http_v1_Header hs[2];
    parigot_http_v1_Header_init(&hs[0]);
    parigot_http_v1_Header_init(&hs[1]);
    hs[0].name = pg_str("accept");
    hs[0].value = pg_str("text/plain");
    hs[1].name = pg_str("x-id");
    hs[1].value = pg_str("7");
    pg_http_request req = request("/", "/", "");
    req.headers.items = hs;
    req.headers.len = 2;
    pg_bytes v;
    pg_expect_true(pg_http_header(&req, "Accept", &v));
    pg_expect_eq_bytes(v, pg_str("text/plain"));
    pg_expect_true(pg_http_header(&req, "X-ID", &v));
    pg_expect_eq_bytes(v, pg_str("7"));
    pg_expect_true(!pg_http_header(&req, "x-i", &v));
    pg_expect_true(pg_http_method_is(&req, "GET"));
    pg_expect_true(!pg_http_method_is(&req, "get"));
  }

  PG_TEST_CASE("only an inline body is read inline") {
    pg_http_request req = request("/", "/", "");
    req.body = pg_str("data");
    pg_bytes body;
    pg_expect_true(pg_http_inline_body(&req, &body));
    pg_expect_eq_bytes(body, pg_str("data"));
    req.body = pg_str("");
    req.body_id = 9;
    pg_expect_true(!pg_http_inline_body(&req, &body));
  }

  PG_TEST_CASE("a response refuses a bad header, too many headers and a bad status") {
    pg_http_response r;
    pg_http_response_init(&r, NULL, 200);
    pg_expect_eq_i64(pg_http_set_header(&r, "x-ok", pg_str("a\tb")), 0);
    pg_expect_eq_i64(pg_http_set_header(&r, "", pg_str("v")), -PARIGOT_E_BAD_ARGUMENT);
    pg_expect_eq_i64(pg_http_set_header(&r, "bad name", pg_str("v")), -PARIGOT_E_BAD_ARGUMENT);
    pg_expect_eq_i64(pg_http_set_header(&r, "x:y", pg_str("v")), -PARIGOT_E_BAD_ARGUMENT);
    pg_expect_eq_i64(pg_http_set_header(&r, "x", pg_str("a\r\nb: c")), -PARIGOT_E_BAD_ARGUMENT);
    pg_expect_eq_i64(pg_http_set_header(&r, "x", pg_str("\x7f")), -PARIGOT_E_BAD_ARGUMENT);
    for (uint32_t i = 1; i < PG_HTTP_MAX_HEADERS; i++) {
      pg_http_set_header(&r, "x-many", pg_str("v"));
    }
    pg_expect_eq_i64(r.header_count, PG_HTTP_MAX_HEADERS);
    pg_expect_eq_i64(pg_http_set_header(&r, "x-one-more", pg_str("v")), PG_E_BUFFER);
    /* A status the kernel would turn into 502 is refused before anything is sent. */
    pg_http_response_init(&r, NULL, 99);
    pg_expect_eq_i64(pg_http_end(&r, pg_str("")), -PARIGOT_E_BAD_ARGUMENT);
    pg_http_response_init(&r, NULL, 600);
    pg_expect_eq_i64(pg_http_write(&r, pg_str("x")), -PARIGOT_E_BAD_ARGUMENT);
    pg_expect_eq_i64(pg_http_reply(NULL, 1000, NULL, pg_str("")), -PARIGOT_E_BAD_ARGUMENT);
  }

  return pg_test_exit_code();
}
