/*
 * queue_test: checks the queue example's producer and worker pool (pool.h)
 * against the kernel's queue service, and reports to parigot.test.v1.Test.
 * Each case uses its own queue, which a passing case leaves empty.
 */
#include "parigot/queue/v1/queue.pg.h"
#include "parigot_test.h"
#include "pool.h"

int main(void) {
  pg_loop *loop = pg_loop_default();

  PG_TEST_CASE("every job is processed at least once and the queue drains") {
    pool_report r;
    pg_expect_eq_i64(pool_run(loop, "test.jobs", 40, 4, false, &r), 0);
    pg_expect_eq_i64(r.sent, 40);
    pg_expect_eq_i64(r.done, 40);
    pg_expect_eq_i64(r.sum, 40 * 41 * 81 / 6); /* 1^2 + ... + 40^2 */
    pg_expect_true(!r.worker_died);
    pg_expect_eq_i64(r.visible, 0);
    pg_expect_eq_i64(r.in_flight, 0);
  }

  PG_TEST_CASE("a nacked job is delivered again and then processed") {
    /* Every worker refuses first deliveries: a job is done only if the
     * queue delivers it again. */
    pool_report r;
    pg_expect_eq_i64(pool_run(loop, "test.redelivered", 8, 2, true, &r), 0);
    pg_expect_eq_i64(r.done, 8);
    pg_expect_eq_i64(r.min_attempt, 2);
    pg_expect_eq_i64(r.sum, 8 * 9 * 17 / 6);
    pg_expect_eq_i64(r.visible, 0);
    pg_expect_eq_i64(r.in_flight, 0);
  }

  return pg_test_exit_code();
}
