/* parigot_http: see parigot_http.h. */
#include "parigot_http.h"

#include <string.h>

static bool bytes_eq(pg_bytes b, const char *s, size_t n) {
  return b.len == n && (n == 0 || memcmp(b.data, s, n) == 0);
}

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

bool pg_http_method_is(const pg_http_request *req, const char *method) {
  return bytes_eq(req->method, method, strlen(method));
}

pg_bytes pg_http_path(const pg_http_request *req) {
  pg_bytes path = req->path, route = req->route;
  if (route.len == 0 || route.len > path.len || memcmp(path.data, route.data, route.len) != 0) {
    return path;
  }
  if (route.len == path.len) {
    return pg_str("/");
  }
  /* A route "/api/" leaves "items" of "/api/items": keep its '/'. */
  uint32_t from = path.data[route.len] == '/' ? route.len : route.len - 1;
  if (path.data[from] != '/') {
    return path; /* "/apix" under route "/api": not below it */
  }
  return (pg_bytes){path.data + from, path.len - from};
}

bool pg_http_path_prefix(pg_bytes path, const char *prefix, pg_bytes *rest) {
  size_t n = strlen(prefix);
  if (path.len < n || memcmp(path.data, prefix, n) != 0) {
    return false;
  }
  if (rest != NULL) {
    *rest = (pg_bytes){path.data + n, path.len - (uint32_t)n};
  }
  return true;
}

bool pg_http_next_segment(pg_bytes *path, pg_bytes *segment) {
  pg_bytes p = *path;
  if (p.len > 0 && p.data[0] == '/') {
    p.data++;
    p.len--;
  }
  if (path->len == 0) {
    *segment = (pg_bytes){p.data, 0};
    return false;
  }
  uint32_t i = 0;
  while (i < p.len && p.data[i] != '/') {
    i++;
  }
  *segment = (pg_bytes){p.data, i};
  *path = (pg_bytes){p.data + i, p.len - i};
  return true;
}

bool pg_http_header(const pg_http_request *req, const char *name, pg_bytes *value) {
  size_t n = strlen(name);
  for (uint32_t i = 0; i < req->headers.len; i++) {
    pg_bytes h = req->headers.items[i].name;
    if (h.len != n) {
      continue;
    }
    uint32_t j = 0;
    while (j < n && lower(h.data[j]) == lower((uint8_t)name[j])) {
      j++;
    }
    if (j == n) {
      *value = req->headers.items[i].value;
      return true;
    }
  }
  return false;
}

static int hex(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes the byte at in[*i], advancing *i past it: PG_OK or PG_E_DECODE. */
static int32_t decode_at(pg_bytes in, uint32_t *i, pg_http_escape how, uint8_t *c) {
  uint8_t b = in.data[*i];
  if (b == '%') {
    int hi = *i + 2 < in.len ? hex(in.data[*i + 1]) : -1;
    int lo = hi >= 0 ? hex(in.data[*i + 2]) : -1;
    if (lo < 0) {
      return PG_E_DECODE;
    }
    b = (uint8_t)(hi * 16 + lo);
    *i += 2;
  } else if (b == '+' && how == PG_HTTP_QUERY) {
    b = ' ';
  }
  *c = b;
  (*i)++;
  return PG_OK;
}

int32_t pg_http_unescape(pg_bytes in, pg_http_escape how, uint8_t *out, uint32_t cap,
                         uint32_t *len) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < in.len;) {
    uint8_t c;
    int32_t rc = decode_at(in, &i, how, &c);
    if (rc != PG_OK) {
      return rc;
    }
    if (n == cap) {
      return PG_E_BUFFER;
    }
    out[n++] = c;
  }
  *len = n;
  return PG_OK;
}

/* 1 if the escaped key k decodes to key, else 0, or PG_E_DECODE. */
static int32_t key_is(pg_bytes k, const char *key) {
  size_t n = strlen(key), j = 0;
  for (uint32_t i = 0; i < k.len; j++) {
    uint8_t c;
    int32_t rc = decode_at(k, &i, PG_HTTP_QUERY, &c);
    if (rc != PG_OK) {
      return rc;
    }
    if (j == n || c != (uint8_t)key[j]) {
      return 0;
    }
  }
  return j == n;
}

int32_t pg_http_query(const pg_http_request *req, const char *key, uint8_t *out, uint32_t cap,
                      uint32_t *len) {
  pg_bytes q = req->query;
  uint32_t i = 0;
  while (i < q.len) {
    uint32_t end = i;
    while (end < q.len && q.data[end] != '&') {
      end++;
    }
    uint32_t eq = i;
    while (eq < end && q.data[eq] != '=') {
      eq++;
    }
    int32_t rc = key_is((pg_bytes){q.data + i, eq - i}, key);
    if (rc < 0) {
      return rc;
    }
    if (rc == 1) {
      pg_bytes v = eq < end ? (pg_bytes){q.data + eq + 1, end - eq - 1} : (pg_bytes){q.data, 0};
      rc = pg_http_unescape(v, PG_HTTP_QUERY, out, cap, len);
      return rc == PG_OK ? 1 : rc;
    }
    i = end + 1;
  }
  return 0;
}

bool pg_http_inline_body(const pg_http_request *req, pg_bytes *body) {
  if (req->body_id != 0) {
    return false;
  }
  *body = req->body;
  return true;
}

void pg_http_response_init(pg_http_response *r, pg_call *call, int32_t status) {
  memset(r, 0, sizeof *r);
  r->call = call;
  r->status = status;
}

/* RFC 9110's tchar. */
static bool is_token(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int32_t pg_http_set_header(pg_http_response *r, const char *name, pg_bytes value) {
  size_t n = strlen(name);
  if (r->started || n == 0) {
    return -PARIGOT_E_BAD_ARGUMENT;
  }
  for (size_t i = 0; i < n; i++) {
    if (!is_token((uint8_t)name[i])) {
      return -PARIGOT_E_BAD_ARGUMENT;
    }
  }
  for (uint32_t i = 0; i < value.len; i++) {
    uint8_t c = value.data[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return -PARIGOT_E_BAD_ARGUMENT;
    }
  }
  if (r->header_count == PG_HTTP_MAX_HEADERS) {
    return PG_E_BUFFER;
  }
  parigot_http_v1_Header *h = &r->headers[r->header_count++];
  parigot_http_v1_Header_init(h);
  h->name = (pg_bytes){(const uint8_t *)name, (uint32_t)n};
  h->value = value;
  return 0;
}

/* Sends one message of the response: PARTIAL unless last. */
static int32_t respond(pg_http_response *r, pg_bytes body, bool last) {
  if (r->ended) {
    return -PARIGOT_E_BAD_HANDLE;
  }
  parigot_http_v1_HttpResponse m;
  parigot_http_v1_HttpResponse_init(&m);
  if (!r->started) {
    if (r->status < 100 || r->status > 599) {
      return -PARIGOT_E_BAD_ARGUMENT;
    }
    m.status = r->status;
    m.headers.len = r->header_count;
    m.headers.items = r->headers;
  }
  m.body = body;
  int32_t rc = last ? parigot_http_v1_Handler_Handle_reply(r->call, &m)
                    : parigot_http_v1_Handler_Handle_send(r->call, &m);
  if (rc <= PG_E_DECODE) {
    /* An SDK error (PG_E_*): not encoded, so the call is still open, and must not stay so. */
    pg_call_fail(r->call, PG_STATUS_INTERNAL, "the HTTP response could not be encoded");
  }
  /* Whatever the outcome, the status went, or the call is over. */
  r->started = true;
  if (last || rc != 0) {
    r->ended = true;
  }
  return rc;
}

int32_t pg_http_write(pg_http_response *r, pg_bytes chunk) { return respond(r, chunk, false); }

int32_t pg_http_end(pg_http_response *r, pg_bytes last) { return respond(r, last, true); }

int32_t pg_http_reply(pg_call *call, int32_t status, const char *content_type, pg_bytes body) {
  pg_http_response r;
  pg_http_response_init(&r, call, status);
  if (content_type != NULL) {
    int32_t rc = pg_http_set_header(&r, "content-type", pg_str(content_type));
    if (rc != 0) {
      return rc;
    }
  }
  return pg_http_end(&r, body);
}
