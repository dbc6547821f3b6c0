/*
 * main: the client of the kv example. It increments the counter "visits"
 * through counter.v1.Counter (counter.proto) N times (its first argument,
 * default 3), printing each new value, then reads it back.
 *
 * The counter lives in the kernel's key-value store, so a second run goes on
 * from where the first stopped.
 */
#include <stdio.h>
#include <stdlib.h>

#include "counter.pg.h"

#define COUNTER "visits"

static pg_loop *loop;

/* Logs a failed call with the service's message, if it sent one. */
static void log_failure(const char *what, int32_t rc, pg_future *f) {
  const pg_result *r = pg_future_result(f);
  pg_log(PG_LOG_ERROR, "main: %s: %s: %s", what, pg_strerror(rc),
         r != NULL ? (const char *)r->data.data : "");
}

int main(int argc, char **argv) {
  loop = pg_loop_default();
  counter_v1_Counter_client counter;
  int32_t rc = counter_v1_Counter_connect(&counter);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: connect %s: %s", counter_v1_Counter_NAME, pg_strerror(rc));
    return 1;
  }
  long n = strtol(argc > 1 ? argv[1] : "3", NULL, 10);
  for (long i = 0; i < n; i++) {
    counter_v1_IncrementRequest inc;
    counter_v1_IncrementRequest_init(&inc);
    inc.name = pg_str(COUNTER);
    inc.by = 1;
    pg_future *f = counter_v1_Counter_Increment(loop, &counter, &inc, PARIGOT_TIMEOUT_DEFAULT);
    pg_await(loop, f);
    counter_v1_Value value;
    rc = counter_v1_Counter_Increment_result(f, &value, NULL);
    if (rc != 0) {
      log_failure("Increment", rc, f);
      return 1;
    }
    printf("%s: %lld\n", COUNTER, (long long)value.value);
    pg_future_free(f);
  }
  counter_v1_Name name;
  counter_v1_Name_init(&name);
  name.name = pg_str(COUNTER);
  pg_future *f = counter_v1_Counter_Get(loop, &counter, &name, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  counter_v1_Value value;
  rc = counter_v1_Counter_Get_result(f, &value, NULL);
  if (rc != 0) {
    log_failure("Get", rc, f);
    return 1;
  }
  printf("%s is %lld after %ld increments\n", COUNTER, (long long)value.value, n);
  pg_future_free(f);
  return 0;
}
