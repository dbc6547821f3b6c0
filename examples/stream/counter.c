/*
 * counter: the service half of the stream example. It serves
 * stream.v1.Counter (counter.proto): Count sends N partial results with the
 * generated _send stub, then ends the call with _reply.
 */
#include "counter.pg.h"

#define COUNTER_MAX 1000

static void count(pg_call *call, const stream_v1_CountRequest *req, void *ctx) {
  (void)ctx;
  if (req->n < 1 || req->n > COUNTER_MAX) {
    pg_call_fail(call, stream_v1_CounterError_COUNTER_ERROR_BAD_COUNT,
                 "the count must be from 1 to 1000");
    return;
  }
  stream_v1_CountReply reply;
  stream_v1_CountReply_init(&reply);
  reply.of = req->n;
  for (uint32_t i = 1; i <= req->n; i++) {
    reply.item = i;
    int32_t rc = stream_v1_Counter_Count_send(call, &reply);
    if (rc == -PARIGOT_E_CANCELLED) {
      return; /* the caller gave up; the runtime frees the call */
    }
    if (rc != 0) {
      pg_log(PG_LOG_ERROR, "counter: send: %s", pg_strerror(rc));
      pg_call_fail(call, stream_v1_CounterError_COUNTER_ERROR_BAD_COUNT,
                   "could not send every item");
      return;
    }
  }
  stream_v1_CountReply_init(&reply);
  int32_t rc = stream_v1_Counter_Count_reply(call, &reply);
  if (rc != 0 && rc != -PARIGOT_E_CANCELLED) {
    pg_log(PG_LOG_ERROR, "counter: end: %s", pg_strerror(rc));
  }
}

int main(void) {
  static const stream_v1_Counter_handlers handlers = {.Count = count};
  pg_loop *loop = pg_loop_default();
  int32_t rc = stream_v1_Counter_serve(loop, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "counter: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "counter: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
