/*
 * main: squares 1..N (its argument, at most 16) in workers and prints the
 * sum of the squares.
 */
#include <stdio.h>
#include <stdlib.h>

#include "work.h"

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10;
  if (n < 1 || n > 16) {
    fprintf(stderr, "main: N must be 1 to 16, not %s\n", argv[1]);
    return 2;
  }
  int32_t numbers[16];
  int64_t squares[16];
  for (int i = 0; i < n; i++) numbers[i] = i + 1;
  int32_t rc = square_all(pg_loop_default(), numbers, (uint32_t)n, squares);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: square_all: %s", pg_strerror(rc));
    return 1;
  }
  int64_t sum = 0;
  for (int i = 0; i < n; i++) sum += squares[i];
  printf("the squares of 1..%d add up to %lld\n", n, (long long)sum);
  fflush(stdout);
  return 0;
}
