/*
 * compute.h: the harness shared by the compute benchmarks. Each program is
 * plain C that builds both natively (gcc -O2) and for wasm32-wasi (clang -O2),
 * so the same source runs natively, under node and under the kernel.
 *
 * bench_main runs the workload WARMUP times untimed (so the JIT of node and
 * of the JVM has compiled it), then REPS times timed with the monotonic
 * clock, and prints one line the runner parses:
 *
 *   compute NAME median_ns=N checksum=C
 *
 * The checksum is the workload's result: it keeps the compiler from
 * deleting the work, and the runner checks it is the same on every engine.
 */
#ifndef BENCH_COMPUTE_H
#define BENCH_COMPUTE_H

#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define WARMUP 3
#define REPS 9

static uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bench_cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static int bench_main(const char *name, uint64_t (*work)(void)) {
  uint64_t times[REPS];
  uint64_t checksum = 0;
  for (int i = 0; i < WARMUP; i++) {
    checksum = work();
  }
  for (int i = 0; i < REPS; i++) {
    uint64_t t0 = bench_now_ns();
    uint64_t c = work();
    times[i] = bench_now_ns() - t0;
    if (c != checksum) {
      printf("error %s: checksum changed between runs\n", name);
      return 1;
    }
  }
  qsort(times, REPS, sizeof times[0], bench_cmp_u64);
  printf("compute %s median_ns=%llu checksum=%llu\n", name, (unsigned long long)times[REPS / 2],
         (unsigned long long)checksum);
  return 0;
}

/* A small fixed pseudo-random sequence, the same on every engine. */
static uint32_t bench_lcg(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return *state;
}

#endif /* BENCH_COMPUTE_H */
