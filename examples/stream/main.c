/*
 * main: the client half of the stream example. It asks stream.v1.Counter
 * (counter.proto) for N results (its first argument, default 3), prints each
 * partial result as it arrives, then "done" when the call ends.
 */
#include <stdio.h>
#include <stdlib.h>

#include "counter.pg.h"

/* Runs on the loop for each partial result, in the order they were sent. */
static void print_item(pg_future *f, pg_bytes partial, void *ctx) {
  (void)f;
  (void)ctx;
  stream_v1_CountReply item;
  /* No arena: CountReply has no repeated or message fields to allocate. */
  int32_t rc = stream_v1_Counter_Count_decode_partial(partial, &item, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: a partial result: %s", pg_strerror(rc));
    return;
  }
  printf("item %u of %u\n", (unsigned)item.item, (unsigned)item.of);
  fflush(stdout);
}

int main(int argc, char **argv) {
  pg_loop *loop = pg_loop_default();
  stream_v1_Counter_client counter;
  int32_t rc = stream_v1_Counter_connect(&counter);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: connect %s: %s", stream_v1_Counter_NAME, pg_strerror(rc));
    return 1;
  }
  stream_v1_CountRequest req;
  stream_v1_CountRequest_init(&req);
  req.n = (uint32_t)strtoul(argc > 1 ? argv[1] : "3", NULL, 10);
  pg_future *items = stream_v1_Counter_Count(loop, &counter, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_future_on_partial(items, print_item, NULL);
  pg_await(loop, items);
  stream_v1_CountReply end;
  rc = stream_v1_Counter_Count_result(items, &end, NULL);
  if (rc != 0) {
    const pg_result *r = pg_future_result(items);
    pg_log(PG_LOG_ERROR, "main: Count: %s: %s", pg_strerror(rc),
           r != NULL ? (const char *)r->data.data : "");
    return 1;
  }
  printf("done\n");
  pg_future_free(items);
  return 0;
}
