/*
 * parigot_test.h: writing test programs (role = "test") for `parigot test`.
 *
 * A test program runs cases and reports each check to the kernel's test
 * service, parigot.test.v1.Test, which its manifest must require:
 *
 *   [program.my_test]
 *   wasm = "my_test.wasm"
 *   role = "test"
 *   requires = ["parigot.test.v1.Test", ...what it tests]
 *
 *   #include "parigot_test.h"
 *
 *   int main(void) {
 *     PG_TEST_CASE("adds") {
 *       pg_expect_eq_i64(add(2, 2), 4);
 *       pg_expect_true(add(0, 0) == 0);
 *     }
 *     return pg_test_exit_code();
 *   }
 *
 * Every report is a call to the service, awaited before the function
 * returns (the loop keeps serving meanwhile), so reports arrive in order and
 * a crash right after a check cannot lose it. `parigot test` fails a case
 * that is still open when the process traps or is killed, so a crash inside
 * a case shows up under that case.
 *
 * Link sdk/c/src/test/parigot_test.c with the program (scripts/build-guests
 * does so for every *_test.c). The requests are encoded by hand with
 * parigot_wire.h's writer, not with stubs generated from test.proto, so
 * that building a test needs no code generation (see sdk/c/README.md).
 */
#ifndef PARIGOT_TEST_H
#define PARIGOT_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "parigot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The name a test program's manifest must require. */
#define PG_TEST_SERVICE "parigot.test.v1.Test"

/*
 * Opens a case called name. Returns 0, or the failed call's status (a
 * -errno, or the service's code: 6 for a name already used, 9 when a case
 * is open). A failed report also makes pg_test_exit_code non-zero and is
 * logged to stderr.
 */
int32_t pg_test_begin(const char *name);

/*
 * Records one check of the open case: passed or not, where it is, and a
 * printf-style message (what was checked; if it failed, what was seen).
 * Returns passed, so a caller can stop a case after a failed check:
 * `if (!pg_expect_true(p != NULL)) return;`.
 */
bool pg_test_check(bool passed, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Closes the open case. Returns 0 or the failed call's status. */
int32_t pg_test_end(void);

/* Closes the open case as skipped, with a reason. Returns 0 or a status. */
int32_t pg_test_skip(const char *reason);

/*
 * 0 if every check passed and every report reached the service, 1
 * otherwise: return it from main, so the exit code agrees with the report.
 */
int pg_test_exit_code(void);

/*
 * Runs the block after it once, as a case called name:
 *   PG_TEST_CASE("name") { ...checks... }
 * Leave the block normally (not with break, return or goto), or the case
 * stays open and `parigot test` fails it when the process ends.
 */
#define PG_TEST_CASE(name)                                                  \
  for (int pg_test_once_ = (pg_test_begin(name), 1); pg_test_once_;         \
       pg_test_once_ = (pg_test_end(), 0))

/* Checks that cond is true. */
#define pg_expect_true(cond) \
  pg_test_check((cond) ? true : false, __FILE__, __LINE__, "expected %s", #cond)

/* Checks that two integers are equal; the message shows both values. */
#define pg_expect_eq_i64(actual, expected)                                   \
  pg_test_expect_eq_i64((int64_t)(actual), (int64_t)(expected), #actual, \
                        #expected, __FILE__, __LINE__)

/* Checks that two NUL-terminated strings are equal (NULL equals only NULL). */
#define pg_expect_eq_str(actual, expected) \
  pg_test_expect_eq_str((actual), (expected), #actual, #expected, __FILE__, __LINE__)

/* Checks that two byte ranges (pg_bytes) hold the same bytes. */
#define pg_expect_eq_bytes(actual, expected) \
  pg_test_expect_eq_bytes((actual), (expected), #actual, #expected, __FILE__, __LINE__)

/* What the pg_expect_eq_ macros call. */
bool pg_test_expect_eq_i64(int64_t actual, int64_t expected, const char *actual_text,
                           const char *expected_text, const char *file, int line);
bool pg_test_expect_eq_str(const char *actual, const char *expected, const char *actual_text,
                           const char *expected_text, const char *file, int line);
bool pg_test_expect_eq_bytes(pg_bytes actual, pg_bytes expected, const char *actual_text,
                             const char *expected_text, const char *file, int line);

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_TEST_H */
