/*
 * counter: serves counter.v1.Counter (counter.proto) on top of the kernel's
 * key-value service, parigot.kv.v1.KV (proto/parigot/kv/v1/kv.proto).
 *
 * Each counter is one key in the bucket "counters", its value the decimal
 * text of the count. Increment is a compare-and-set loop: read the key and
 * its revision, write value + by only if the revision is still the same,
 * and start again if another writer got there first. Handlers await their
 * kv calls, so the loop serves other calls meanwhile and increments do
 * interleave; the revision check is what keeps any of them from being lost,
 * whether they come from this process or from another replica.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.pg.h"
#include "parigot/kv/v1/kv.pg.h"

#define BUCKET "counters"
#define NAME_MAX_BYTES 128
/* Enough for any reasonable contention; past it the caller is told to retry. */
#define MAX_ATTEMPTS 100


static pg_loop *loop;
static parigot_kv_v1_KV_client kv;

/* Fails a call with the store's error, keeping the kernel's message. */
static void fail_store(pg_call *call, const char *what, int32_t rc, pg_future *f) {
  const pg_result *r = pg_future_result(f);
  char msg[256];
  snprintf(msg, sizeof msg, "kv %s: %s%s%s", what, pg_strerror(rc),
           r != NULL && r->data.len > 0 ? ": " : "",
           r != NULL ? (const char *)r->data.data : "");
  pg_call_fail(call, counter_v1_CounterError_COUNTER_ERROR_STORE, msg);
}

/* Checks a counter name; fails the call and returns false if it is bad. */
static bool valid_name(pg_call *call, pg_bytes name) {
  if (name.len == 0 || name.len > NAME_MAX_BYTES) {
    pg_call_fail(call, counter_v1_CounterError_COUNTER_ERROR_BAD_NAME,
                 "a counter name is 1 to 128 bytes");
    return false;
  }
  return true;
}

/*
 * Reads a counter: its value and its key's revision (0 and 0 when the key
 * does not exist, which is what compare-and-set expects for "create").
 * Returns 0, or fails the call and returns the status.
 */
static int32_t read_counter(pg_call *call, pg_bytes name, int64_t *value, int64_t *revision) {
  parigot_kv_v1_GetRequest get;
  parigot_kv_v1_GetRequest_init(&get);
  get.bucket = pg_str(BUCKET);
  get.key = name;
  pg_future *f = parigot_kv_v1_KV_Get(loop, &kv, &get, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  parigot_kv_v1_GetResponse got;
  int32_t rc = parigot_kv_v1_KV_Get_result(f, &got, NULL);
  *value = 0;
  *revision = 0;
  if (rc == 0 && got.entry != NULL) {
    /* The value is not NUL-terminated where it lies: copy it to parse it. */
    char text[24] = {0};
    uint32_t n = got.entry->value.len < sizeof text - 1 ? got.entry->value.len : sizeof text - 1;
    memcpy(text, got.entry->value.data, n);
    *value = strtoll(text, NULL, 10);
    *revision = got.entry->revision;
  } else if (rc == PG_STATUS_NOT_FOUND) {
    rc = 0;
  } else {
    fail_store(call, "get", rc, f);
  }
  pg_future_free(f);
  return rc;
}

/* counter.v1.Counter.Increment: the compare-and-set loop described above. */
static void increment(pg_call *call, const counter_v1_IncrementRequest *req, void *ctx) {
  (void)ctx;
  if (!valid_name(call, req->name)) {
    return;
  }
  for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    int64_t value, revision;
    if (read_counter(call, req->name, &value, &revision) != 0) {
      return;
    }
    char text[24];
    int len = snprintf(text, sizeof text, "%lld", (long long)(value + req->by));
    parigot_kv_v1_CompareAndSetRequest cas;
    parigot_kv_v1_CompareAndSetRequest_init(&cas);
    cas.bucket = pg_str(BUCKET);
    cas.key = req->name;
    cas.value = (pg_bytes){(const uint8_t *)text, (uint32_t)len};
    cas.expected_revision = revision;
    pg_future *f = parigot_kv_v1_KV_CompareAndSet(loop, &kv, &cas, PARIGOT_TIMEOUT_DEFAULT);
    pg_await(loop, f);
    parigot_kv_v1_CompareAndSetResponse set;
    int32_t rc = parigot_kv_v1_KV_CompareAndSet_result(f, &set, NULL);
    if (rc == 0) {
      pg_future_free(f);
      counter_v1_Value reply = {.value = value + req->by};
      counter_v1_Counter_Increment_reply(call, &reply);
      return;
    }
    if (rc != PG_STATUS_FAILED_PRECONDITION) {
      fail_store(call, "compare-and-set", rc, f);
      pg_future_free(f);
      return;
    }
    /* Someone else changed the counter since we read it: read it again. */
    pg_future_free(f);
  }
  pg_call_fail(call, counter_v1_CounterError_COUNTER_ERROR_CONTENDED,
               "too many concurrent increments; try again");
}

/* counter.v1.Counter.Get: the value, 0 for a counter that does not exist. */
static void get(pg_call *call, const counter_v1_Name *req, void *ctx) {
  (void)ctx;
  int64_t value, revision;
  if (!valid_name(call, req->name) || read_counter(call, req->name, &value, &revision) != 0) {
    return;
  }
  counter_v1_Value reply = {.value = value};
  counter_v1_Counter_Get_reply(call, &reply);
}

/* counter.v1.Counter.Reset: deletes the key, so the counter reads 0. */
static void reset(pg_call *call, const counter_v1_Name *req, void *ctx) {
  (void)ctx;
  if (!valid_name(call, req->name)) {
    return;
  }
  parigot_kv_v1_DeleteRequest del;
  parigot_kv_v1_DeleteRequest_init(&del);
  del.bucket = pg_str(BUCKET);
  del.key = req->name;
  pg_future *f = parigot_kv_v1_KV_Delete(loop, &kv, &del, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  parigot_kv_v1_DeleteResponse deleted;
  int32_t rc = parigot_kv_v1_KV_Delete_result(f, &deleted, NULL);
  if (rc != 0) {
    fail_store(call, "delete", rc, f);
  } else {
    counter_v1_Value reply = {.value = 0};
    counter_v1_Counter_Reset_reply(call, &reply);
  }
  pg_future_free(f);
}

int main(void) {
  static const counter_v1_Counter_handlers handlers = {
      .Increment = increment, .Get = get, .Reset = reset};
  loop = pg_loop_default();
  int32_t rc = parigot_kv_v1_KV_connect(&kv);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "counter: connect %s: %s", parigot_kv_v1_KV_NAME, pg_strerror(rc));
    return 1;
  }
  rc = counter_v1_Counter_serve(loop, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "counter: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "counter: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
