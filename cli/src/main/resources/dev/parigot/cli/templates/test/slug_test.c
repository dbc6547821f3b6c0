/*
 * slug_test: checks slug (slug.c); reports to parigot.test.v1.Test.
 * `parigot test app.toml` runs it.
 */
#include "parigot_test.h"
#include "slug.h"

int main(void) {
  char out[32];

  PG_TEST_CASE("a title becomes lower-case words joined by dashes") {
    pg_expect_eq_i64(slug("Hello, Parigot World!", out, sizeof out), 19);
    pg_expect_eq_str(out, "hello-parigot-world");
  }

  PG_TEST_CASE("nothing but punctuation is the empty slug") {
    pg_expect_eq_i64(slug(" -- ", out, sizeof out), 0);
    pg_expect_eq_str(out, "");
  }

  PG_TEST_CASE("a slug that does not fit is refused") {
    pg_expect_eq_i64(slug("abcdef", out, 4), -1);
  }

  return pg_test_exit_code();
}
