/*
 * rt_time: the runtime's timers and logging against the kernel's clock and
 * log services. argv[1] names one scenario; it prints what it observes, one
 * fact a line, and the JUnit test (TimeAndLogTest) states what must be seen.
 *   sleep   (requires the clock) sleeps end after their duration, in order
 *   timer   (requires the clock) ticks until cancelled, or until the count
 *   nogrant (requires nothing) everything fails with not permitted, and so
 *           does pg_log_to_service; pg_log writes to stderr
 *   log     (requires the log service) after pg_log_to_service, records
 *           reach the service
 */
#include <string.h>

#include "rt.h"

#define MS 1000000LL

static pg_loop *loop;

static int64_t now(void) {
  int64_t mono = 0;
  int32_t rc = pg_now(loop, NULL, &mono);
  if (rc != 0) {
    say("now: %s", pg_strerror(rc));
  }
  return mono;
}

static char order[64];

static void note(pg_future *f, void *ctx) {
  (void)f;
  strncat(order, (const char *)ctx, sizeof order - strlen(order) - 1);
}

static void sleeps(void) {
  int64_t start = now();
  pg_future *f = pg_sleep(loop, 200);
  say("sleep: %s", pg_strerror(pg_await(loop, f)));
  int64_t ended = 0;
  say("sleep result: %s", pg_strerror(pg_sleep_result(f, &ended)));
  pg_future_free(f);
  int64_t after = now();
  say("ended 200 ms or more after the start: %s", ended - start >= 200 * MS ? "yes" : "no");
  say("awaited 200 ms or more: %s", after - start >= 200 * MS ? "yes" : "no");

  /* Started together, the shorter ends first. */
  pg_future *fs[2] = {pg_sleep(loop, 300), pg_sleep(loop, 30)};
  pg_future_on_done(fs[0], note, "long ");
  pg_future_on_done(fs[1], note, "short ");
  say("await_all: %s", pg_strerror(pg_await_all(loop, fs, 2)));
  say("order: %s", order);
  pg_future_free(fs[0]);
  pg_future_free(fs[1]);

  f = pg_sleep(loop, 60000);
  say("cancel: %s", pg_strerror(pg_future_cancel(f)));
  say("cancelled sleep: %s", pg_strerror(pg_future_result(f)->status));
  pg_future_free(f);
  /* Freeing a pending sleep cancels it; the loop must not hear of it again. */
  pg_future_free(pg_sleep(loop, 50));
  f = pg_sleep(loop, 100);
  say("sleep after free: %s", pg_strerror(pg_await(loop, f)));
  pg_future_free(f);
  f = pg_sleep(loop, -1);
  say("negative sleep: %s", pg_strerror(pg_await(loop, f)));
  pg_future_free(f);
}

static int ticks;
static int64_t last_tick;

static void tick(pg_future *timer, const pg_tick *t, void *ctx) {
  ticks++;
  say("%s tick %lld (seq %s)", (const char *)ctx, (long long)t->seq,
      t->seq == ticks ? "in order" : "out of order");
  if (t->monotonic_nanos < last_tick) {
    say("tick went back in time");
  }
  last_tick = t->monotonic_nanos;
  if (strcmp(ctx, "endless") == 0 && t->seq == 3) {
    say("cancel in tick: %s", pg_strerror(pg_future_cancel(timer)));
  }
}

static void timers(void) {
  int64_t start = now();
  pg_future *t = pg_timer(loop, 20, 0, tick, "endless");
  say("endless timer: %s", pg_strerror(pg_await(loop, t)));
  say("third tick 60 ms or more after the start: %s", last_tick - start >= 60 * MS ? "yes" : "no");
  /* Nothing more may arrive once cancelled. */
  pg_future *s = pg_sleep(loop, 200);
  pg_await(loop, s);
  pg_future_free(s);
  say("ticks after cancel: %d", ticks - 3);
  pg_future_free(t);

  ticks = 0;
  t = pg_timer(loop, 10, 2, tick, "counted");
  say("counted timer: %s, %d ticks", pg_strerror(pg_await(loop, t)), ticks);
  pg_future_free(t);

  ticks = 0;
  t = pg_timer(loop, 10, 0, tick, "freed");
  pg_future_free(t);
  s = pg_sleep(loop, 100);
  pg_await(loop, s);
  pg_future_free(s);
  say("ticks of a freed timer: %d", ticks);
}

static void nogrant(void) {
  pg_future *f = pg_sleep(loop, 10);
  say("sleep: %s", pg_strerror(pg_await(loop, f)));
  pg_future_free(f);
  f = pg_timer(loop, 10, 0, tick, "denied");
  say("timer: %s", pg_strerror(pg_await(loop, f)));
  pg_future_free(f);
  say("now: %s", pg_strerror(pg_now(loop, NULL, NULL)));
  say("to service: %s", pg_strerror(pg_log_to_service()));
  pg_log(PG_LOG_WARN, "to stderr %d", 7);
}

static void logs(void) {
  say("to service: %s", pg_strerror(pg_log_to_service()));
  pg_log(PG_LOG_INFO, "hello, log service %d", 42);
  pg_log(PG_LOG_DEBUG, "below the threshold");
  pg_log_threshold(PG_LOG_DEBUG);
  pg_log(PG_LOG_DEBUG, "a detail");
  pg_log(PG_LOG_ERROR, "%s", ""); /* the service takes no empty message: stderr */
  pg_log(PG_LOG_WARN, "last words");
  /* No await: the runtime flushes at exit. */
}

int main(int argc, char **argv) {
  loop = pg_loop_default();
  const char *scenario = argc > 1 ? argv[1] : "";
  if (strcmp(scenario, "sleep") == 0) {
    sleeps();
  } else if (strcmp(scenario, "timer") == 0) {
    timers();
  } else if (strcmp(scenario, "nogrant") == 0) {
    nogrant();
  } else if (strcmp(scenario, "log") == 0) {
    logs();
  } else {
    say("unknown scenario %s", scenario);
    return 1;
  }
  say("end of %s", scenario);
  return 0;
}
