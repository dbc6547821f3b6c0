/*
 * work: the worker entry "square" and square_all, which starts one worker
 * per number and collects their answers over the links.
 */
#include <string.h>

#include "work.h"

#define MAX_WORK 16

/* A worker: squares the int32 it was started with and sends the int64 back. */
__attribute__((export_name("square"))) void square(void) {
  pg_loop *loop = pg_loop_default();
  pg_bytes arg;
  int32_t parent = pg_worker_arg(loop, &arg);
  if (parent < 0 || arg.len != sizeof(int32_t)) return;
  int32_t x;
  memcpy(&x, arg.data, sizeof x);
  int64_t result = (int64_t)x * x;
  pg_send(parent, (pg_bytes){(const uint8_t *)&result, sizeof result});
}

/* What the parent knows of one worker. */
typedef struct job {
  int32_t link;
  int64_t *out;
  int done;
  int32_t failure;
} job;

typedef struct jobs {
  job items[MAX_WORK];
  uint32_t n, left;
} jobs;

static job *find(jobs *all, int32_t link) {
  for (uint32_t i = 0; i < all->n; i++) {
    if (all->items[i].link == link) return &all->items[i];
  }
  return NULL;
}

static void on_message(int32_t link, pg_bytes msg, void *ctx) {
  job *j = find(ctx, link);
  if (j == NULL || j->done) return;
  if (msg.len == sizeof(int64_t)) {
    memcpy(j->out, msg.data, sizeof(int64_t));
  } else {
    j->failure = -PARIGOT_E_BAD_ARGUMENT;
  }
  j->done = 1;
  ((jobs *)ctx)->left--;
}

static void on_exit(int32_t link, int32_t code, void *ctx) {
  job *j = find(ctx, link);
  /* A worker that ended before it answered. */
  if (j == NULL || j->done) return;
  j->failure = code < 0 ? code : -PARIGOT_E_PROVIDER_DIED;
  j->done = 1;
  ((jobs *)ctx)->left--;
}

int32_t square_all(pg_loop *loop, const int32_t *numbers, uint32_t n, int64_t *out) {
  static jobs all;
  if (n > MAX_WORK) return -PARIGOT_E_WOULD_EXCEED_LIMIT;
  memset(&all, 0, sizeof all);
  for (uint32_t i = 0; i < n; i++) {
    job *j = &all.items[i];
    j->out = &out[i];
    pg_bytes arg = {(const uint8_t *)&numbers[i], sizeof numbers[i]};
    int32_t rc = pg_spawn(loop, "square", arg, on_message, on_exit, &all, &j->link);
    if (rc != 0) return rc;
    all.n++;
    all.left++;
  }
  while (all.left > 0) {
    int32_t rc = pg_run_once(loop, -1);
    if (rc < 0) return rc;
  }
  for (uint32_t i = 0; i < n; i++) {
    if (all.items[i].failure != 0) return all.items[i].failure;
  }
  return 0;
}
