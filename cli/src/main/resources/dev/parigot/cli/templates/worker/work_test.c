/*
 * work_test: checks square_all (work.c) with real workers; reports to
 * parigot.test.v1.Test.
 */
#include "parigot_test.h"
#include "work.h"

int main(void) {
  pg_loop *loop = pg_loop_default();

  PG_TEST_CASE("each number is squared by its own worker, in order") {
    int32_t numbers[] = {3, -4, 46341};
    int64_t squares[3] = {0};
    if (pg_expect_eq_i64(square_all(loop, numbers, 3, squares), 0)) {
      pg_expect_eq_i64(squares[0], 9);
      pg_expect_eq_i64(squares[1], 16);
      pg_expect_eq_i64(squares[2], 2147488281LL);
    }
  }

  PG_TEST_CASE("more numbers than workers are refused") {
    int32_t numbers[17] = {0};
    int64_t squares[17];
    pg_expect_eq_i64(square_all(loop, numbers, 17, squares), -PARIGOT_E_WOULD_EXCEED_LIMIT);
  }

  return pg_test_exit_code();
}
