/*
 * main: the queue example. It sends N jobs (its first argument, default 10)
 * to the queue "jobs" of the kernel's queue service, parigot.queue.v1.Queue,
 * has a pool of workers (its second argument, default 3) process them, and
 * prints what came out and the queue's length afterwards (see pool.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "parigot/queue/v1/queue.pg.h"
#include "pool.h"

int main(int argc, char **argv) {
  pg_loop *loop = pg_loop_default();
  int32_t jobs = (int32_t)strtol(argc > 1 ? argv[1] : "10", NULL, 10);
  int32_t workers = (int32_t)strtol(argc > 2 ? argv[2] : "3", NULL, 10);
  pool_report report;
  int32_t rc = pool_run(loop, "jobs", jobs, workers, false, &report);
  if (rc != 0 || report.worker_died) {
    pg_log(PG_LOG_ERROR, "main: %d of %d jobs done: %s", (int)report.done, (int)report.sent,
           pg_strerror(rc));
    return 1;
  }
  printf("sent %d jobs to %d workers\n", (int)report.sent, (int)workers);
  printf("done %d jobs: the sum of their squares is %lld\n", (int)report.done,
         (long long)report.sum);
  printf("queue jobs: %lld waiting, %lld in flight\n", (long long)report.visible,
         (long long)report.in_flight);
  return 0;
}
