/*
 * pool.h: the queue example's producer and worker pool, shared by main.c and
 * queue_test.c (each program is built from one .c file, so the code they
 * share lives in this header). Include "parigot/queue/v1/queue.pg.h" before
 * it: scripts/build-guests adds the kernel's queue.proto to the build of a
 * .c that includes its header itself.
 *
 * A job is a message whose body is a number n in decimal; processing it
 * computes n * n. pool_run sends the jobs, then spawns workers: instances of
 * this same module running the exported `worker` entry. Each worker holds a
 * Receive stream on the queue (one delivery in flight at a time), processes
 * a delivery, acks it, and only then reports "id attempt result" to the
 * parent, so a job the parent counts as done is gone from the queue. Jobs
 * are sent before any worker starts, so the parent knows every message id
 * it waits for before the first report comes in. Once every job is done the
 * parent sends each worker "stop": the worker cancels its stream and
 * returns, so it ends cleanly (`parigot test` counts a killed process as a
 * failure) and holds no delivery when the parent reads the queue's length.
 */
#ifndef QUEUE_EXAMPLE_POOL_H
#define QUEUE_EXAMPLE_POOL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot.h"

#define POOL_MAX_JOBS 1000
#define POOL_MAX_WORKERS 8
/* Long enough that a delivery is never redelivered while it is processed. */
#define POOL_VISIBILITY_MS 10000
/* pool_run gives up when no worker has reported for this long. */
#define POOL_IDLE_MS 20000

static parigot_queue_v1_Queue_client pool_queue;

/* Logs a failed queue call with the kernel's message. */
static void pool_log_failure(const char *what, int32_t rc, pg_future *f) {
  const pg_result *r = pg_future_result(f);
  pg_log(PG_LOG_ERROR, "%s: %s: %s", what, pg_strerror(rc),
         r != NULL ? (const char *)r->data.data : "");
}

/* ---- the worker ---- */

/* The spawn argument: "<queue> <nack-first 0|1>". */
static char worker_queue[129];
static int worker_nack_first;
static int32_t worker_parent;
static pg_future *worker_stream;

/*
 * One delivery: nack it if this worker is told to refuse first attempts (to
 * show redelivery), else process it, ack it and report it.
 */
static void worker_deliver(pg_future *receive, pg_bytes partial, void *ctx) {
  (void)receive;
  pg_loop *loop = ctx;
  parigot_queue_v1_Delivery d;
  if (parigot_queue_v1_Queue_Receive_decode_partial(partial, &d, NULL) != 0) {
    pg_log(PG_LOG_ERROR, "worker: a delivery that does not decode");
    return;
  }
  /* partial is valid only until this callback awaits: keep what is needed. */
  int64_t id = d.id;
  int32_t attempt = d.attempt;
  char body[24] = {0};
  memcpy(body, d.body.data, d.body.len < sizeof body - 1 ? d.body.len : sizeof body - 1);
  int64_t n = strtoll(body, NULL, 10);

  if (worker_nack_first && attempt == 1) {
    parigot_queue_v1_NackRequest nack;
    parigot_queue_v1_NackRequest_init(&nack);
    nack.queue = pg_str(worker_queue);
    nack.id = id;
    nack.attempt = attempt;
    pg_future *f = parigot_queue_v1_Queue_Nack(loop, &pool_queue, &nack, PARIGOT_TIMEOUT_DEFAULT);
    pg_await(loop, f);
    int32_t rc = parigot_queue_v1_Queue_Nack_result(f, &(parigot_queue_v1_NackResponse){0}, NULL);
    if (rc != 0) {
      pool_log_failure("worker: Nack", rc, f);
    }
    pg_future_free(f);
    return;
  }

  int64_t result = n * n; /* the work */
  parigot_queue_v1_AckRequest ack;
  parigot_queue_v1_AckRequest_init(&ack);
  ack.queue = pg_str(worker_queue);
  ack.id = id;
  ack.attempt = attempt;
  pg_future *f = parigot_queue_v1_Queue_Ack(loop, &pool_queue, &ack, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  int32_t rc = parigot_queue_v1_Queue_Ack_result(f, &(parigot_queue_v1_AckResponse){0}, NULL);
  if (rc != 0) {
    /* The delivery expired: it will come again, so do not report it. */
    pool_log_failure("worker: Ack", rc, f);
  } else {
    char report[64];
    int len = snprintf(report, sizeof report, "%lld %d %lld", (long long)id, (int)attempt,
                       (long long)result);
    pg_send(worker_parent, (pg_bytes){(const uint8_t *)report, (uint32_t)len});
  }
  pg_future_free(f);
}

/* The parent's only message is "stop": end the stream, and so the worker. */
static void worker_on_message(int32_t link, pg_bytes msg, void *ctx) {
  (void)link;
  (void)msg;
  (void)ctx;
  pg_future_cancel(worker_stream);
}

/* The worker's entry: receives until the parent says stop. */
__attribute__((export_name("worker"))) void worker(void) {
  pg_loop *loop = pg_loop_default();
  pg_bytes arg;
  worker_parent = pg_worker_arg(loop, &arg);
  pg_worker_on_message(loop, worker_on_message, NULL);
  /* arg is not NUL-terminated: copy it to parse it. */
  char text[160] = {0};
  memcpy(text, arg.data, arg.len < sizeof text - 1 ? arg.len : sizeof text - 1);
  if (worker_parent < 0 ||
      sscanf(text, "%128s %d", worker_queue, &worker_nack_first) != 2) {
    pg_log(PG_LOG_ERROR, "worker: a bad spawn argument");
    return;
  }
  int32_t rc = parigot_queue_v1_Queue_connect(&pool_queue);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "worker: connect: %s", pg_strerror(rc));
    return;
  }
  parigot_queue_v1_ReceiveRequest req;
  parigot_queue_v1_ReceiveRequest_init(&req);
  req.queue = pg_str(worker_queue);
  req.visibility_timeout_ms = POOL_VISIBILITY_MS;
  req.max_in_flight = 1;
  /* No deadline: the stream runs until the parent says stop. */
  worker_stream = parigot_queue_v1_Queue_Receive(loop, &pool_queue, &req, 0);
  pg_future_on_partial(worker_stream, worker_deliver, loop);
  pg_await(loop, worker_stream);
  rc = parigot_queue_v1_Queue_Receive_result(worker_stream, &(parigot_queue_v1_Delivery){0}, NULL);
  if (rc != -PARIGOT_E_CANCELLED) {
    pool_log_failure("worker: the Receive stream ended", rc, worker_stream);
  }
  pg_future_free(worker_stream);
}

/* ---- the parent ---- */

/* What pool_run saw. */
typedef struct pool_report {
  int32_t sent;          /* jobs sent */
  int32_t done;          /* of those, processed and acked at least once */
  int32_t min_attempt;   /* the lowest attempt among the first reports of each job */
  int64_t sum;           /* the sum of the results of the jobs done (each once) */
  int64_t visible;       /* the queue's length afterwards: waiting */
  int64_t in_flight;     /* and delivered but not acked */
  bool worker_died;      /* a worker ended before it was told to, or failed */
} pool_report;

static int64_t pool_ids[POOL_MAX_JOBS];
static bool pool_done[POOL_MAX_JOBS];
static pool_report *pool_current;
static bool pool_stopping;
static int32_t pool_exited;

static void pool_on_report(int32_t link, pg_bytes msg, void *ctx) {
  (void)link;
  (void)ctx;
  long long id, result;
  int attempt;
  /* msg is not NUL-terminated: copy it to parse it. */
  char text[64] = {0};
  memcpy(text, msg.data, msg.len < sizeof text - 1 ? msg.len : sizeof text - 1);
  if (sscanf(text, "%lld %d %lld", &id, &attempt, &result) != 3) {
    pg_log(PG_LOG_ERROR, "pool: a bad report from a worker");
    return;
  }
  for (int32_t i = 0; i < pool_current->sent; i++) {
    /* At least once: a job reported twice counts once. */
    if (pool_ids[i] == id && !pool_done[i]) {
      pool_done[i] = true;
      pool_current->done++;
      pool_current->sum += result;
      if (attempt < pool_current->min_attempt) {
        pool_current->min_attempt = attempt;
      }
    }
  }
}

static void pool_on_exit(int32_t link, int32_t code, void *ctx) {
  (void)link;
  (void)ctx;
  pool_exited++;
  if (!pool_stopping || code != 0) {
    pg_log(PG_LOG_ERROR, "pool: a worker ended early or failed: %s", pg_strerror(code));
    pool_current->worker_died = true;
  }
}

/* Dispatches events until *count reaches want; -PARIGOT_E_TIMED_OUT if
 * nothing happens for POOL_IDLE_MS, or a worker dies first. */
static int32_t pool_wait(pg_loop *loop, const int32_t *count, int32_t want) {
  while (*count < want && !pool_current->worker_died) {
    int32_t events = pg_run_once(loop, POOL_IDLE_MS);
    if (events <= 0) {
      return events < 0 ? events : -PARIGOT_E_TIMED_OUT;
    }
  }
  return pool_current->worker_died ? -PARIGOT_E_PROVIDER_DIED : 0;
}

/*
 * Sends jobs 1..jobs to queue, processes them with `workers` workers (each
 * nacking first deliveries if nack_first), stops the workers once every job
 * was reported and reads the queue's length. Returns 0, or the status of the
 * queue call that failed (*out says how far it got).
 */
static int32_t pool_run(pg_loop *loop, const char *queue, int32_t jobs, int32_t workers,
                        bool nack_first, pool_report *out) {
  memset(out, 0, sizeof *out);
  memset(pool_done, 0, sizeof pool_done);
  out->min_attempt = 1 << 30;
  pool_current = out;
  pool_stopping = false;
  pool_exited = 0;
  if (jobs < 1 || jobs > POOL_MAX_JOBS || workers < 1 || workers > POOL_MAX_WORKERS) {
    return -PARIGOT_E_BAD_ARGUMENT;
  }
  int32_t rc = parigot_queue_v1_Queue_connect(&pool_queue);
  if (rc != 0) {
    return rc;
  }
  for (int32_t i = 0; i < jobs; i++) {
    char body[24];
    int len = snprintf(body, sizeof body, "%d", (int)(i + 1));
    parigot_queue_v1_SendRequest send;
    parigot_queue_v1_SendRequest_init(&send);
    send.queue = pg_str(queue);
    send.body = (pg_bytes){(const uint8_t *)body, (uint32_t)len};
    pg_future *f = parigot_queue_v1_Queue_Send(loop, &pool_queue, &send, PARIGOT_TIMEOUT_DEFAULT);
    pg_await(loop, f);
    parigot_queue_v1_SendResponse sent;
    rc = parigot_queue_v1_Queue_Send_result(f, &sent, NULL);
    if (rc != 0) {
      pool_log_failure("pool: Send", rc, f);
      pg_future_free(f);
      return rc;
    }
    pool_ids[out->sent++] = sent.id;
    pg_future_free(f);
  }

  char arg[160];
  snprintf(arg, sizeof arg, "%s %d", queue, nack_first ? 1 : 0);
  int32_t links[POOL_MAX_WORKERS];
  int32_t spawned = 0;
  for (; spawned < workers; spawned++) {
    rc = pg_spawn(loop, "worker", pg_str(arg), pool_on_report, pool_on_exit, NULL,
                  &links[spawned]);
    if (rc != 0) {
      pg_log(PG_LOG_ERROR, "pool: spawn: %s", pg_strerror(rc));
      break;
    }
  }
  if (rc == 0) {
    rc = pool_wait(loop, &out->done, out->sent);
  }
  pool_stopping = true;
  for (int32_t i = 0; i < spawned; i++) {
    pg_send(links[i], pg_str("stop"));
  }
  int32_t stopped = pool_wait(loop, &pool_exited, spawned);
  if (rc != 0 || stopped != 0) {
    return rc != 0 ? rc : stopped;
  }

  parigot_queue_v1_LengthRequest length;
  parigot_queue_v1_LengthRequest_init(&length);
  length.queue = pg_str(queue);
  pg_future *f = parigot_queue_v1_Queue_Length(loop, &pool_queue, &length, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  parigot_queue_v1_LengthResponse len;
  rc = parigot_queue_v1_Queue_Length_result(f, &len, NULL);
  if (rc != 0) {
    pool_log_failure("pool: Length", rc, f);
  } else {
    out->visible = len.visible;
    out->in_flight = len.in_flight;
  }
  pg_future_free(f);
  return rc;
}

#endif /* QUEUE_EXAMPLE_POOL_H */
