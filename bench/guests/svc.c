/*
 * svc: the guest side of the kernel services benchmark. It calls
 * parigot.kv.v1.KV and parigot.queue.v1.Queue through the raw ABI with
 * hand-encoded protobuf requests (the same bytes generated stubs send), one
 * call in flight at a time, and times itself like caller.c:
 *
 *   svc put WARMUP N        KV.Put of a 64-byte value to key "key-NNNN"
 *                           (i mod 1000) in bucket "bench"
 *   svc get WARMUP N        KV.Get of those keys (run put first)
 *   svc send WARMUP N       Queue.Send of a 64-byte body to queue "bench"
 *   svc receive WARMUP N    one Queue.Receive stream (max_in_flight 1,
 *                           limit WARMUP + N); each delivery is acked and
 *                           a sample is the time from one ack's END to the
 *                           next's: a whole receive-and-ack cycle
 *
 * Prints "span START END" (ns) and "samples ..." lines, as caller.c does.
 * Any failure prints "error ..." and exits 1.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parigot_abi.h"

#define KV "parigot.kv.v1.KV"
#define QUEUE "parigot.queue.v1.Queue"
/* Method numbers: 1-based declaration order in kv.proto and queue.proto. */
#define KV_GET 1
#define KV_PUT 2
#define QUEUE_SEND 1
#define QUEUE_RECEIVE 2
#define QUEUE_ACK 3
#define KEYS 1000
#define VALUE_LEN 64

static parigot_event events[16];
static uint8_t buf[1 << 14];
static uint8_t req[256];

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

/* ---- protobuf encoding: just the wire types these requests use ---- */

static size_t put_varint(uint8_t *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* A varint field: tag (field << 3 | 0), value. */
static size_t put_uint(uint8_t *p, uint32_t field, uint64_t v) {
  size_t n = put_varint(p, (uint64_t)field << 3);
  return n + put_varint(p + n, v);
}

/* A length-delimited field (string, bytes): tag (field << 3 | 2), length, bytes. */
static size_t put_bytes(uint8_t *p, uint32_t field, const void *data, size_t len) {
  size_t n = put_varint(p, (uint64_t)field << 3 | 2);
  n += put_varint(p + n, len);
  memcpy(p + n, data, len);
  return n + len;
}

static size_t put_str(uint8_t *p, uint32_t field, const char *s) {
  return put_bytes(p, field, s, strlen(s));
}

/* Reads a varint at *p; 0 on a malformed one. */
static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  *v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    uint8_t b = *(*p)++;
    *v |= (uint64_t)(b & 0x7f) << shift;
    if (b < 0x80) {
      return 1;
    }
  }
  return 0;
}

/* From a Delivery: id (field 1) and attempt (field 2), both varints; other fields skipped. */
static void delivery_id(const uint8_t *p, uint32_t len, uint64_t *id, uint64_t *attempt) {
  const uint8_t *end = p + len;
  *id = 0;
  *attempt = 0;
  while (p < end) {
    uint64_t tag, v;
    if (!get_varint(&p, end, &tag)) {
      die("delivery tag", 0);
    }
    if ((tag & 7) == 0) {
      if (!get_varint(&p, end, &v)) {
        die("delivery varint", 0);
      }
      if (tag >> 3 == 1) {
        *id = v;
      } else if (tag >> 3 == 2) {
        *attempt = v;
      }
    } else if ((tag & 7) == 2) {
      if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p)) {
        die("delivery length", 0);
      }
      p += v;
    } else {
      die("delivery wire type", (int32_t)(tag & 7));
    }
  }
}

/* ---- calls ---- */

static int32_t locate(const char *name) {
  int32_t svc = parigot_locate(name, (int32_t)strlen(name));
  if (svc < 0) {
    die("locate", svc);
  }
  return svc;
}

static const parigot_event *next_event(void) {
  int32_t n = parigot_wait(events, 1, buf, (int32_t)sizeof buf, PARIGOT_TIMEOUT_DEFAULT);
  if (n != 1) {
    die("wait", n);
  }
  return &events[0];
}

/* One unary call, waited for: it must END. */
static void unary(int32_t svc, int32_t method, size_t len) {
  int32_t ch = parigot_call(svc, method, req, (int32_t)len, PARIGOT_TIMEOUT_DEFAULT);
  if (ch < 0) {
    die("call", ch);
  }
  const parigot_event *ev = next_event();
  if (ev->kind != PARIGOT_EVENT_END || ev->handle != ch) {
    printf("error message: %.*s\n", (int)ev->payload_len, (const char *)buf + ev->payload_offset);
    die("reply kind", (int32_t)ev->kind);
  }
}

static uint8_t value[VALUE_LEN];

/* The request of the i-th unary operation of `op`. */
static size_t request(const char *op, int32_t i) {
  char key[16];
  snprintf(key, sizeof key, "key-%04d", (int)(i % KEYS));
  size_t n = 0;
  if (strcmp(op, "send") == 0) {
    n += put_str(req + n, 1, "bench");
    n += put_bytes(req + n, 2, value, sizeof value);
    return n;
  }
  n += put_str(req + n, 1, "bench");
  n += put_str(req + n, 2, key);
  if (strcmp(op, "put") == 0) {
    n += put_bytes(req + n, 3, value, sizeof value);
  }
  return n;
}

static void unaries(const char *op, int32_t warmup, int32_t n) {
  int send = strcmp(op, "send") == 0;
  int32_t svc = locate(send ? QUEUE : KV);
  int32_t method = send ? QUEUE_SEND : strcmp(op, "put") == 0 ? KV_PUT : KV_GET;
  uint32_t *samples = malloc(sizeof(uint32_t) * (size_t)n);
  if (samples == NULL) {
    die("malloc", n);
  }
  for (int32_t i = 0; i < warmup; i++) {
    unary(svc, method, request(op, i));
  }
  uint64_t start = now_ns();
  uint64_t t = start;
  for (int32_t i = 0; i < n; i++) {
    unary(svc, method, request(op, i));
    uint64_t after = now_ns();
    samples[i] = (uint32_t)(after - t);
    t = after;
  }
  printf("span %llu %llu\n", (unsigned long long)start, (unsigned long long)t);
  print_samples(samples, n);
}

static void receive(int32_t warmup, int32_t n) {
  int32_t svc = locate(QUEUE);
  uint32_t *samples = malloc(sizeof(uint32_t) * (size_t)n);
  if (samples == NULL) {
    die("malloc", n);
  }
  size_t len = put_str(req, 1, "bench");
  len += put_uint(req + len, 3, 1);
  len += put_uint(req + len, 4, (uint64_t)(warmup + n));
  int32_t stream = parigot_call(svc, QUEUE_RECEIVE, req, (int32_t)len, PARIGOT_TIMEOUT_NONE);
  if (stream < 0) {
    die("receive", stream);
  }
  int32_t acked = 0;
  int stream_ended = 0;
  uint64_t start = 0;
  uint64_t t = 0;
  /* The next delivery may come before the ack's END: handle events in any order. */
  while (acked < warmup + n || !stream_ended) {
    int32_t got = parigot_wait(events, 16, buf, (int32_t)sizeof buf, PARIGOT_TIMEOUT_DEFAULT);
    if (got < 1) {
      die("wait", got);
    }
    for (int32_t e = 0; e < got; e++) {
      const parigot_event *ev = &events[e];
      if (ev->handle == stream && ev->kind == PARIGOT_EVENT_PARTIAL) {
        uint64_t id, attempt;
        delivery_id(buf + ev->payload_offset, ev->payload_len, &id, &attempt);
        size_t a = put_str(req, 1, "bench");
        a += put_uint(req + a, 2, id);
        a += put_uint(req + a, 3, attempt);
        int32_t ch = parigot_call(svc, QUEUE_ACK, req, (int32_t)a, PARIGOT_TIMEOUT_DEFAULT);
        if (ch < 0) {
          die("ack", ch);
        }
      } else if (ev->handle == stream && ev->kind == PARIGOT_EVENT_END) {
        stream_ended = 1;
      } else if (ev->kind == PARIGOT_EVENT_END) {
        uint64_t now = now_ns();
        /* The last warm-up END starts the clock, so there are n timed cycles. */
        if (acked == warmup - 1) {
          start = now;
        } else if (acked >= warmup) {
          samples[acked - warmup] = (uint32_t)(now - t);
        }
        t = now;
        acked++;
      } else {
        printf("error message: %.*s\n", (int)ev->payload_len, (const char *)buf + ev->payload_offset);
        die("receive event", (int32_t)ev->kind);
      }
    }
  }
  printf("span %llu %llu\n", (unsigned long long)start, (unsigned long long)t);
  print_samples(samples, n);
}

int main(int argc, char **argv) {
  memset(value, 'v', sizeof value);
  if (argc != 4) {
    die("usage: svc put|get|send|receive WARMUP N", argc);
  }
  int32_t warmup = atoi(argv[2]);
  int32_t n = atoi(argv[3]);
  if (strcmp(argv[1], "receive") == 0) {
    if (warmup < 1) {
      die("receive needs a warm-up of at least 1", warmup);
    }
    receive(warmup, n);
  } else if (strcmp(argv[1], "put") == 0 || strcmp(argv[1], "get") == 0
             || strcmp(argv[1], "send") == 0) {
    unaries(argv[1], warmup, n);
  } else {
    die("unknown operation", argc);
  }
  return 0;
}
