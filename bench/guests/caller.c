/*
 * caller: the client side of the call, streaming and spawn benchmarks. It
 * times itself with the WASI monotonic clock (the kernel's System.nanoTime)
 * and prints what it measured to stdout, after the timed part, for the
 * runner to parse (dev.parigot.bench.GuestBench):
 *
 *   caller calls WARMUP N TIMEOUT_MS
 *       WARMUP untimed, then N timed sequential 64-byte Echo calls on
 *       bench.v1.Echo, one in flight at a time; TIMEOUT_MS goes to
 *       parigot_call (-1: the manifest's default deadline, 0: none).
 *       Prints "span START END" (ns) and the N round trips in ns as
 *       "samples v1 v2 ..." lines.
 *   caller stream WARMUP REPS COUNT SIZE
 *       WARMUP untimed, then REPS timed times: one Stream call for COUNT
 *       partial results of SIZE bytes, timed from the call to its END.
 *       Prints "samples" lines.
 *   caller slowstream WARMUP REPS COUNT SIZE WORK
 *       As stream, for a slow reader: each wait takes one event, and each
 *       partial result is read WORK times over (a checksum) before the next
 *       wait, so the provider outruns the caller and flow control must hold
 *       it back. Prints "samples" lines and a "checksum" line.
 *   caller spawn WARMUP N
 *       Spawns a worker of this module WARMUP + N times, one at a time;
 *       times each from parigot_spawn to the worker's first message (so the
 *       worker exists, runs guest code and made a syscall), then waits for
 *       its EXIT. Prints "samples" lines.
 *
 * Any failure prints "error ..." and exits 1.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parigot_abi.h"

#define SERVICE "bench.v1.Echo"
#define METHOD_ECHO 1
#define METHOD_STREAM 2
#define WORKER "bench_worker"

static parigot_event events[64];
/* Fits a whole batch of 64 streamed 1 KiB results. Kept small: a spawned worker
 * is a fresh instance of this module, and allocating its memory is part of the
 * spawn cost. */
static uint8_t buf[1 << 16];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static _Noreturn void die(const char *what, int32_t rc) {
  printf("error %s: %d\n", what, (int)rc);
  fflush(stdout);
  exit(1);
}

static void print_samples(const uint32_t *s, int32_t n) {
  for (int32_t i = 0; i < n; i += 32) {
    fputs("samples", stdout);
    for (int32_t j = i; j < n && j < i + 32; j++) {
      printf(" %u", (unsigned)s[j]);
    }
    putchar('\n');
  }
  fflush(stdout);
}

static int32_t locate(void) {
  int32_t svc = parigot_locate(SERVICE, (int32_t)(sizeof SERVICE - 1));
  if (svc < 0) {
    die("locate", svc);
  }
  return svc;
}

/* Waits for the next event; the batch is one event, so the order is kept. */
static const parigot_event *next_event(void) {
  int32_t n = parigot_wait(events, 1, buf, (int32_t)sizeof buf, PARIGOT_TIMEOUT_DEFAULT);
  if (n != 1) {
    die("wait", n);
  }
  return &events[0];
}

static void one_call(int32_t svc, const uint8_t *req, int64_t timeout_ms) {
  int32_t ch = parigot_call(svc, METHOD_ECHO, req, 64, timeout_ms);
  if (ch < 0) {
    die("call", ch);
  }
  const parigot_event *ev = next_event();
  if (ev->kind != PARIGOT_EVENT_END || ev->handle != ch || ev->payload_len != 64) {
    die("reply kind", (int32_t)ev->kind);
  }
}

static void calls(int32_t warmup, int32_t n, int64_t timeout_ms) {
  static uint8_t req[64];
  memset(req, 'r', sizeof req);
  int32_t svc = locate();
  uint32_t *samples = malloc(sizeof(uint32_t) * (size_t)n);
  if (samples == NULL) {
    die("malloc", n);
  }
  for (int32_t i = 0; i < warmup; i++) {
    one_call(svc, req, timeout_ms);
  }
  uint64_t start = now_ns();
  uint64_t t = start;
  for (int32_t i = 0; i < n; i++) {
    one_call(svc, req, timeout_ms);
    uint64_t after = now_ns();
    samples[i] = (uint32_t)(after - t);
    t = after;
  }
  printf("span %llu %llu\n", (unsigned long long)start, (unsigned long long)t);
  print_samples(samples, n);
}

/* What the slow reader computed, printed so that its work is not optimised away. */
static uint32_t checksum;

/* A slow reader's work on one result: an FNV-1a checksum of it, `work` times over. */
static uint32_t read_over(const uint8_t *p, uint32_t len, int32_t work, uint32_t h) {
  for (int32_t w = 0; w < work; w++) {
    for (uint32_t i = 0; i < len; i++) {
      h = (h ^ p[i]) * 16777619u;
    }
  }
  return h;
}

/*
 * One Stream call for req[0] results of req[1] bytes, read `work` times over each (0: batches
 * of up to 64 events, not read); its time from the call to its END, in ns.
 */
static uint32_t one_stream(int32_t svc, const uint32_t req[2], int32_t work) {
  const int32_t req_len = 2 * (int32_t)sizeof(uint32_t);
  uint64_t t0 = now_ns();
  int32_t ch = parigot_call(svc, METHOD_STREAM, req, req_len, PARIGOT_TIMEOUT_NONE);
  if (ch < 0) {
    die("call", ch);
  }
  uint32_t partials = 0;
  for (;;) {
    int32_t n = parigot_wait(events, work > 0 ? 1 : 64, buf, (int32_t)sizeof buf,
                             PARIGOT_TIMEOUT_DEFAULT);
    if (n < 1) {
      die("wait", n);
    }
    int done = 0;
    for (int32_t i = 0; i < n; i++) {
      if (events[i].kind == PARIGOT_EVENT_PARTIAL && events[i].payload_len == req[1]) {
        partials++;
        checksum = read_over(buf + events[i].payload_offset, events[i].payload_len, work, checksum);
      } else if (events[i].kind == PARIGOT_EVENT_END) {
        done = 1;
      } else {
        die("stream event", (int32_t)events[i].kind);
      }
    }
    if (done) {
      break;
    }
  }
  if (partials != req[0]) {
    die("partials", (int32_t)partials);
  }
  return (uint32_t)(now_ns() - t0);
}

static void stream(int32_t warmup, int32_t reps, uint32_t count, uint32_t size, int32_t work) {
  int32_t svc = locate();
  uint32_t req[2] = {count, size};
  uint32_t *samples = malloc(sizeof(uint32_t) * (size_t)reps);
  if (samples == NULL) {
    die("malloc", reps);
  }
  for (int32_t r = 0; r < warmup; r++) {
    one_stream(svc, req, work);
  }
  for (int32_t r = 0; r < reps; r++) {
    samples[r] = one_stream(svc, req, work);
  }
  print_samples(samples, reps);
  if (work > 0) {
    printf("checksum %u\n", (unsigned)checksum);
    fflush(stdout);
  }
}

/* A worker: answers its parent's first message, then ends. */
__attribute__((export_name(WORKER))) void bench_worker(void) {
  const parigot_event *ev = next_event();
  if (ev->kind == PARIGOT_EVENT_MESSAGE) {
    parigot_send(ev->handle, "up", 2);
  }
}

static void spawn(int32_t warmup, int32_t n) {
  uint32_t *samples = malloc(sizeof(uint32_t) * (size_t)n);
  if (samples == NULL) {
    die("malloc", n);
  }
  for (int32_t i = -warmup; i < n; i++) {
    uint64_t t0 = now_ns();
    int32_t link = parigot_spawn(WORKER, (int32_t)(sizeof WORKER - 1), "", 0);
    if (link < 0) {
      die("spawn", link);
    }
    const parigot_event *ev = next_event();
    if (ev->kind != PARIGOT_EVENT_MESSAGE || ev->handle != link) {
      die("worker message", (int32_t)ev->kind);
    }
    uint64_t t1 = now_ns();
    ev = next_event();
    if (ev->kind != PARIGOT_EVENT_EXIT || ev->code != 0) {
      die("worker exit", ev->code);
    }
    if (i >= 0) {
      samples[i] = (uint32_t)(t1 - t0);
    }
  }
  print_samples(samples, n);
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "calls") == 0) {
    calls(atoi(argv[2]), atoi(argv[3]), atoll(argv[4]));
  } else if (argc == 6 && strcmp(argv[1], "stream") == 0) {
    stream(atoi(argv[2]), atoi(argv[3]), (uint32_t)atoi(argv[4]), (uint32_t)atoi(argv[5]), 0);
  } else if (argc == 7 && strcmp(argv[1], "slowstream") == 0) {
    stream(atoi(argv[2]), atoi(argv[3]), (uint32_t)atoi(argv[4]), (uint32_t)atoi(argv[5]),
           atoi(argv[6]));
  } else if (argc == 4 && strcmp(argv[1], "spawn") == 0) {
    spawn(atoi(argv[2]), atoi(argv[3]));
  } else {
    die("usage: caller calls WARMUP N TIMEOUT_MS | stream WARMUP REPS COUNT SIZE"
        " | slowstream WARMUP REPS COUNT SIZE WORK | spawn WARMUP N",
        argc);
  }
  return 0;
}
