/*
 * counter: the service half of the stream example.
 *
 * It serves "stream.v1.Counter" with one method:
 *
 *   1  Count  request: N, in decimal (1 to 1000)
 *             reply:   N partial results "item i of N", then an empty END
 *
 * A bad N fails with the application code COUNTER_E_BAD_COUNT.
 */
#include <stdio.h>
#include <stdlib.h>

#include "parigot.h"

#define COUNTER_SERVICE "stream.v1.Counter"
#define COUNTER_METHOD_COUNT 1
#define COUNTER_E_NO_SUCH_METHOD 1
#define COUNTER_E_BAD_COUNT 2
#define COUNTER_MAX 1000

static void count(pg_call *call, int32_t method, pg_bytes req, void *ctx) {
  (void)ctx;
  if (method != COUNTER_METHOD_COUNT) {
    pg_call_fail(call, COUNTER_E_NO_SUCH_METHOD, "no such method");
    return;
  }
  /* The runtime NUL-terminates every request it hands out. */
  char *end;
  long n = strtol((const char *)req.data, &end, 10);
  if (req.len == 0 || *end != '\0' || n < 1 || n > COUNTER_MAX) {
    pg_call_fail(call, COUNTER_E_BAD_COUNT, "the count must be a number from 1 to 1000");
    return;
  }
  for (long i = 1; i <= n; i++) {
    char item[48];
    snprintf(item, sizeof item, "item %ld of %ld", i, n);
    int32_t rc = pg_call_partial(call, pg_str(item));
    if (rc == -PARIGOT_E_CANCELLED) {
      return; /* the caller gave up; the runtime frees the call */
    }
    if (rc != 0) {
      pg_log(PG_LOG_ERROR, "counter: partial: %s", pg_strerror(rc));
      pg_call_fail(call, COUNTER_E_BAD_COUNT, "could not send every item");
      return;
    }
  }
  int32_t rc = pg_call_end(call, (pg_bytes){NULL, 0});
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "counter: end: %s", pg_strerror(rc));
  }
}

int main(void) {
  pg_loop *loop = pg_loop_default();
  int32_t rc = pg_serve(loop, COUNTER_SERVICE, count, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "counter: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "counter: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
