/*
 * The test helper (parigot_test.h): reports cases and checks to
 * parigot.test.v1.Test, one awaited call each.
 *
 * Requests are encoded with parigot_wire.h's writer from the field numbers
 * of proto/parigot/test/v1/test.proto, which are part of that contract:
 *   BeginRequest { string name = 1; }
 *   CheckRequest { bool passed = 1; string message = 2; string file = 3; int32 line = 4; }
 *   EndRequest {}
 *   SkipRequest { string reason = 1; }
 */
#include "parigot_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parigot_wire.h"

/* Method numbers: declaration order in test.proto. */
enum { METHOD_BEGIN = 1, METHOD_CHECK = 2, METHOD_END = 3, METHOD_SKIP = 4 };

/* The service's limits on a message and a file name, in bytes. */
#define MAX_MESSAGE 4096
#define MAX_FILE 256

static bool located;
static int32_t service;
/* A check failed, or a report did not reach the service. */
static bool failed;
static uint8_t request[MAX_MESSAGE + MAX_FILE + 64];
static char message[MAX_MESSAGE + 1];

/*
 * The longest prefix of s (at most max bytes) that the service accepts as a
 * proto3 string: whole UTF-8 characters. Invalid UTF-8 (from a compared
 * value, say) is replaced by '?' in place, so text never makes a report fail.
 */
static pg_bytes text(char *s, uint32_t max) {
  uint32_t len = (uint32_t)strlen(s);
  if (len > max) {
    len = max;
    /* Back off to the start of a character. */
    while (len > 0 && ((uint8_t)s[len] & 0xC0) == 0x80) {
      len--;
    }
  }
  if (!pg_utf8_valid((pg_bytes){(const uint8_t *)s, len})) {
    for (uint32_t i = 0; i < len; i++) {
      if ((uint8_t)s[i] >= 0x80) {
        s[i] = '?';
      }
    }
  }
  return (pg_bytes){(const uint8_t *)s, len};
}

/* A const string as a field: the file name keeps its end, which says most. */
static pg_bytes tail(const char *s, uint32_t max) {
  uint32_t len = (uint32_t)strlen(s);
  const char *start = len > max ? s + (len - max) : s;
  pg_bytes b = {(const uint8_t *)start, len > max ? max : len};
  if (!pg_utf8_valid(b)) {
    return (pg_bytes){(const uint8_t *)"?", 1};
  }
  return b;
}

static void string_field(pg_writer *w, uint32_t field, pg_bytes value) {
  if (value.len > 0) {
    pg_write_tag(w, field, PG_WT_LEN);
    pg_write_len(w, value);
  }
}

/* Sends one report and waits for its answer; 0 or the failed call's status. */
static int32_t report(int32_t method, const char *what, const pg_writer *w) {
  int32_t rc = 0;
  if (!located) {
    rc = pg_locate(PG_TEST_SERVICE, &service);
    if (rc != 0) {
      pg_log(PG_LOG_ERROR, "parigot_test: locate %s: %s (does the manifest require it?)",
             PG_TEST_SERVICE, pg_strerror(rc));
      failed = true;
      return rc;
    }
    located = true;
  }
  if (w->err != PG_OK) {
    failed = true;
    return w->err;
  }
  pg_loop *loop = pg_loop_default();
  pg_future *f = pg_call(loop, service, method, (pg_bytes){request, w->pos},
                         PARIGOT_TIMEOUT_DEFAULT);
  rc = pg_await(loop, f);
  if (rc != 0) {
    const pg_result *r = pg_future_result(f);
    pg_log(PG_LOG_ERROR, "parigot_test: %s: %s%s%s", what, pg_strerror(rc),
           r != NULL && r->data.len > 0 ? ": " : "",
           r != NULL ? (const char *)r->data.data : "");
    failed = true;
  }
  pg_future_free(f);
  return rc;
}

int32_t pg_test_begin(const char *name) {
  pg_writer w = pg_writer_of(request, sizeof request);
  string_field(&w, 1, pg_str(name));
  return report(METHOD_BEGIN, "begin", &w);
}

static bool check(bool passed, const char *file, int line) {
  pg_writer w = pg_writer_of(request, sizeof request);
  if (passed) {
    pg_write_tag(&w, 1, PG_WT_VARINT);
    pg_write_varint(&w, 1);
  }
  string_field(&w, 2, text(message, MAX_MESSAGE));
  string_field(&w, 3, tail(file, MAX_FILE));
  if (line != 0) {
    pg_write_tag(&w, 4, PG_WT_VARINT);
    /* int32: negative values are sign-extended to 64 bits, as protobuf does. */
    pg_write_varint(&w, (uint64_t)(int64_t)line);
  }
  if (!passed) {
    failed = true;
  }
  report(METHOD_CHECK, "check", &w);
  return passed;
}

bool pg_test_check(bool passed, const char *file, int line, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof message, fmt, args);
  va_end(args);
  return check(passed, file, line);
}

int32_t pg_test_end(void) {
  pg_writer w = pg_writer_of(request, sizeof request);
  return report(METHOD_END, "end", &w);
}

int32_t pg_test_skip(const char *reason) {
  pg_writer w = pg_writer_of(request, sizeof request);
  snprintf(message, sizeof message, "%s", reason);
  string_field(&w, 1, text(message, MAX_MESSAGE));
  return report(METHOD_SKIP, "skip", &w);
}

int pg_test_exit_code(void) {
  return failed ? 1 : 0;
}

bool pg_test_expect_eq_i64(int64_t actual, int64_t expected, const char *actual_text,
                           const char *expected_text, const char *file, int line) {
  snprintf(message, sizeof message, "expected %s == %s: got %lld, want %lld", actual_text,
           expected_text, (long long)actual, (long long)expected);
  return check(actual == expected, file, line);
}

bool pg_test_expect_eq_str(const char *actual, const char *expected, const char *actual_text,
                           const char *expected_text, const char *file, int line) {
  bool equal = actual == NULL || expected == NULL ? actual == expected
                                                  : strcmp(actual, expected) == 0;
  snprintf(message, sizeof message, "expected %s == %s: got %s%.512s%s, want %s%.512s%s",
           actual_text, expected_text, actual ? "\"" : "", actual ? actual : "NULL",
           actual ? "\"" : "", expected ? "\"" : "", expected ? expected : "NULL",
           expected ? "\"" : "");
  return check(equal, file, line);
}

bool pg_test_expect_eq_bytes(pg_bytes actual, pg_bytes expected, const char *actual_text,
                             const char *expected_text, const char *file, int line) {
  uint32_t common = actual.len < expected.len ? actual.len : expected.len;
  uint32_t at = 0;
  while (at < common && actual.data[at] == expected.data[at]) {
    at++;
  }
  bool equal = at == common && actual.len == expected.len;
  if (equal) {
    snprintf(message, sizeof message, "expected %s == %s (%u bytes)", actual_text,
             expected_text, (unsigned)actual.len);
  } else {
    snprintf(message, sizeof message,
             "expected %s == %s: %u and %u bytes, first difference at byte %u", actual_text,
             expected_text, (unsigned)actual.len, (unsigned)expected.len, (unsigned)at);
  }
  return check(equal, file, line);
}
