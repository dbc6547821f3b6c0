/*
 * failing_test: what a failing run of `parigot test` looks like (failing.toml).
 * One case passes, one fails a check, and one traps in the middle, which
 * kills the process: `parigot test` fails that open case with the trap and
 * exits 1.
 */
#include "parigot_test.h"

int main(void) {
  PG_TEST_CASE("passes") {
    pg_expect_true(1 + 1 == 2);
  }
  PG_TEST_CASE("fails a check") {
    pg_expect_eq_i64(1 + 1, 3);
  }
  PG_TEST_CASE("traps") {
    __builtin_trap();
  }
  return pg_test_exit_code();
}
