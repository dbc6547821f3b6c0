/*
 * main: the client half of the stream example.
 *
 * Asks stream.v1.Counter for N results (its first argument, default 3),
 * prints each partial result as it arrives, then "done" when the call ends.
 */
#include <stdio.h>

#include "parigot.h"

#define COUNTER_SERVICE "stream.v1.Counter"
#define COUNTER_METHOD_COUNT 1

/* Runs on the loop for each partial result, in the order they were sent. */
static void print_item(pg_future *f, pg_bytes item, void *ctx) {
  (void)f;
  (void)ctx;
  printf("%.*s\n", (int)item.len, (const char *)item.data);
  fflush(stdout);
}

int main(int argc, char **argv) {
  const char *n = argc > 1 ? argv[1] : "3";
  pg_loop *loop = pg_loop_default();
  int32_t counter;
  int32_t rc = pg_locate(COUNTER_SERVICE, &counter);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: locate %s: %s", COUNTER_SERVICE, pg_strerror(rc));
    return 1;
  }
  pg_future *items = pg_call(loop, counter, COUNTER_METHOD_COUNT, pg_str(n), PARIGOT_TIMEOUT_DEFAULT);
  pg_future_on_partial(items, print_item, NULL);
  rc = pg_await(loop, items);
  if (rc != 0) {
    const pg_result *r = pg_future_result(items);
    pg_log(PG_LOG_ERROR, "main: Count failed: %s: %s", pg_strerror(rc),
           r != NULL ? (const char *)r->data.data : "");
    return 1;
  }
  printf("done\n");
  pg_future_free(items);
  return 0;
}
