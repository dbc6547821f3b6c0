/*
 * counter_test: checks counter.v1.Counter (counter.c) end to end, through
 * the kernel's key-value store, and reports to parigot.test.v1.Test.
 *
 * Each case resets the counters it uses first, so the test passes however
 * often it runs against the same data directory.
 */
#include <stdbool.h>

#include "counter.pg.h"
#include "parigot/kv/v1/kv.pg.h"
#include "parigot_test.h"

/* Increments started at once in the concurrency case. */
#define CONCURRENT 16

static pg_loop *loop;
static counter_v1_Counter_client counter;

static void reset(const char *name) {
  counter_v1_Name req;
  counter_v1_Name_init(&req);
  req.name = pg_str(name);
  pg_future *f = counter_v1_Counter_Reset(loop, &counter, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  pg_expect_eq_i64(pg_future_result(f)->status, 0);
  pg_future_free(f);
}

/* Starts an increment of a counter by `by`; the caller awaits and frees it. */
static pg_future *start_increment(const char *name, int64_t by) {
  counter_v1_IncrementRequest req;
  counter_v1_IncrementRequest_init(&req);
  req.name = pg_str(name);
  req.by = by;
  return counter_v1_Counter_Increment(loop, &counter, &req, PARIGOT_TIMEOUT_DEFAULT);
}

/* An increment's result: its status, and the new value in *value. */
static int32_t increment(const char *name, int64_t by, int64_t *value) {
  pg_future *f = start_increment(name, by);
  pg_await(loop, f);
  counter_v1_Value v = {0};
  int32_t rc = counter_v1_Counter_Increment_result(f, &v, NULL);
  *value = v.value;
  pg_future_free(f);
  return rc;
}

/* A Get's result: its status, and the value in *value. */
static int32_t get(const char *name, int64_t *value) {
  counter_v1_Name req;
  counter_v1_Name_init(&req);
  req.name = pg_str(name);
  pg_future *f = counter_v1_Counter_Get(loop, &counter, &req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  counter_v1_Value v = {0};
  int32_t rc = counter_v1_Counter_Get_result(f, &v, NULL);
  *value = v.value;
  pg_future_free(f);
  return rc;
}

int main(void) {
  loop = pg_loop_default();
  int32_t connected = counter_v1_Counter_connect(&counter);

  PG_TEST_CASE("the counter service is reachable") {
    pg_expect_eq_i64(connected, 0);
  }

  PG_TEST_CASE("a new counter reads 0") {
    int64_t value = -1;
    reset("test.new");
    pg_expect_eq_i64(get("test.new", &value), 0);
    pg_expect_eq_i64(value, 0);
  }

  PG_TEST_CASE("increments add up and Get reads the sum") {
    int64_t value = 0;
    reset("test.sum");
    pg_expect_eq_i64(increment("test.sum", 1, &value), 0);
    pg_expect_eq_i64(value, 1);
    pg_expect_eq_i64(increment("test.sum", 41, &value), 0);
    pg_expect_eq_i64(value, 42);
    pg_expect_eq_i64(increment("test.sum", -2, &value), 0);
    pg_expect_eq_i64(value, 40);
    pg_expect_eq_i64(get("test.sum", &value), 0);
    pg_expect_eq_i64(value, 40);
  }

  PG_TEST_CASE("concurrent increments are never lost") {
    reset("test.concurrent");
    /* All in flight at once: the service interleaves them, so most
     * compare-and-sets race and some must retry. */
    pg_future *fs[CONCURRENT];
    for (int i = 0; i < CONCURRENT; i++) {
      fs[i] = start_increment("test.concurrent", 1);
    }
    pg_await_all(loop, fs, CONCURRENT);
    /* Each increment must have seen its own value: 1..CONCURRENT once each. */
    bool seen[CONCURRENT + 1] = {false};
    int distinct = 0;
    for (int i = 0; i < CONCURRENT; i++) {
      counter_v1_Value v = {0};
      pg_expect_eq_i64(counter_v1_Counter_Increment_result(fs[i], &v, NULL), 0);
      if (v.value >= 1 && v.value <= CONCURRENT && !seen[v.value]) {
        seen[v.value] = true;
        distinct++;
      }
      pg_future_free(fs[i]);
    }
    pg_expect_eq_i64(distinct, CONCURRENT);
    int64_t value = 0;
    pg_expect_eq_i64(get("test.concurrent", &value), 0);
    pg_expect_eq_i64(value, CONCURRENT);
  }

  PG_TEST_CASE("a bad counter name is refused") {
    int64_t value;
    pg_expect_eq_i64(increment("", 1, &value), counter_v1_CounterError_COUNTER_ERROR_BAD_NAME);
  }

  PG_TEST_CASE("a program that does not require parigot.kv.v1.KV cannot reach it") {
    /* This program's manifest entry leaves the kernel service out, so the
     * kernel refuses it, exactly as for any other service. */
    parigot_kv_v1_KV_client kv;
    pg_expect_eq_i64(parigot_kv_v1_KV_connect(&kv), -PARIGOT_E_NOT_PERMITTED);
    pg_expect_eq_str(pg_strerror(-PARIGOT_E_NOT_PERMITTED), "not permitted");
  }

  return pg_test_exit_code();
}
