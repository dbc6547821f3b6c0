/*
 * rt_server: the services the runtime tests call, in one module that runs
 * as two programs: "probe" serves rt.v1.Probe (argv[1] = "probe"), "relay"
 * serves rt.v1.Relay by calling the probe from inside its handler.
 *
 * Several methods answer later, from another call's handler or a cancel
 * callback: that is the runtime's reply-later path.
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static pg_loop *loop;

/* ---- rt.v1.Probe ---- */

#define HELD_MAX 16
static pg_call *held[HELD_MAX]; /* DEFER calls, oldest first */
static int nheld;
static pg_call *release;        /* a RELEASE waiting for enough DEFERs */
static uint32_t release_n;

static int hangs;               /* HANG calls received */
static int32_t hang_why;        /* why the last HANG was cancelled; 0 if none was */
static pg_call *started_waiter; /* a STARTED waiting for a HANG */
static pg_call *cancel_waiter;  /* a CANCELLED waiting for a cancellation */

static uint32_t number(pg_bytes b) {
  return (uint32_t)strtoul((const char *)b.data, NULL, 10); /* requests are NUL-terminated */
}

static void check(const char *what, int32_t rc) {
  if (rc != 0) {
    say("%s: %s", what, pg_strerror(rc));
  }
}

static void try_release(void) {
  if (release == NULL || (uint32_t)nheld < release_n) {
    return;
  }
  for (int i = nheld - 1; i >= 0; i--) {
    check("end DEFER", pg_call_end(held[i], pg_call_request(held[i])));
  }
  char text[32];
  snprintf(text, sizeof text, "released %d", nheld);
  nheld = 0;
  check("end RELEASE", pg_call_end(release, pg_str(text)));
  release = NULL;
}

static void answer_waiters(void) {
  if (started_waiter != NULL && hangs > 0) {
    check("end STARTED", pg_call_end(started_waiter, pg_str("started")));
    started_waiter = NULL;
  }
  if (cancel_waiter != NULL && hang_why != 0) {
    check("end CANCELLED", pg_call_end(cancel_waiter, pg_str(pg_strerror(hang_why))));
    cancel_waiter = NULL;
  }
}

static void hang_cancelled(pg_call *c, int32_t why, void *ctx) {
  (void)c;
  (void)ctx;
  say("hang cancelled: %s", pg_strerror(why));
  hang_why = why;
  answer_waiters();
}

static void probe(pg_call *c, int32_t method, pg_bytes req, void *ctx) {
  (void)ctx;
  switch (method) {
    case M_ECHO:
      check("end ECHO", pg_call_end(c, req));
      break;
    case M_DEFER:
      if (nheld == HELD_MAX) {
        check("fail DEFER", pg_call_fail(c, 1, "too many held"));
        break;
      }
      held[nheld++] = c;
      try_release();
      break;
    case M_RELEASE:
      release = c;
      release_n = number(req);
      try_release();
      break;
    case M_BIG: {
      uint32_t n = number(req);
      uint8_t *buf = pg_scratch(n);
      if (buf == NULL) {
        check("fail BIG", pg_call_fail(c, 1, "out of memory"));
        break;
      }
      for (uint32_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)(i % 251);
      }
      check("end BIG", pg_call_end(c, (pg_bytes){buf, n}));
      break;
    }
    case M_HANG:
      hangs++;
      pg_call_on_cancel(c, hang_cancelled, NULL);
      answer_waiters();
      break;
    case M_STARTED:
      started_waiter = c;
      answer_waiters();
      break;
    case M_CANCELLED:
      cancel_waiter = c;
      answer_waiters();
      break;
    case M_STREAM: {
      uint32_t n = number(req);
      for (uint32_t i = 1; i <= n; i++) {
        char part[32];
        snprintf(part, sizeof part, "part %u", (unsigned)i);
        check("partial STREAM", pg_call_partial(c, pg_str(part)));
      }
      check("end STREAM", pg_call_end(c, pg_str("end")));
      break;
    }
    case M_SILENT:
      break; /* the bug under test: nobody will ever answer */
    case M_TWICE:
      check("end TWICE", pg_call_end(c, pg_str("first")));
      say("second end: %s", pg_strerror(pg_call_end(c, pg_str("second"))));
      say("partial after end: %s", pg_strerror(pg_call_partial(c, pg_str("late"))));
      say("fail after end: %s", pg_strerror(pg_call_fail(c, 1, "late")));
      break;
    case M_FAIL:
      say("fail with code 0: %s", pg_strerror(pg_call_fail(c, 0, "zero")));
      check("fail FAIL", pg_call_fail(c, 42, "no luck"));
      break;
    default:
      check("fail unknown", pg_call_fail(c, 1, "no such method"));
      break;
  }
}

/* ---- rt.v1.Relay ---- */

static int32_t probe_service;

static void relay(pg_call *c, int32_t method, pg_bytes req, void *ctx) {
  (void)ctx;
  if (method != M_RELAY) {
    check("fail unknown", pg_call_fail(c, 1, "no such method"));
    return;
  }
  /* Runs the loop from inside a handler: other calls are served meanwhile. */
  /* A different payload, so that a request not copied out of the wait
   * buffer would show. */
  pg_future *f = pg_call(loop, probe_service, M_ECHO, pg_str("ping"), PARIGOT_TIMEOUT_DEFAULT);
  int32_t rc = pg_await(loop, f);
  if (rc != 0) {
    check("fail RELAY", pg_call_fail(c, 1, pg_strerror(rc)));
  } else {
    /* req is the call's own copy, still valid after the nested wait. */
    char text[256];
    snprintf(text, sizeof text, "relayed: %s (request still %s)",
             (const char *)pg_future_result(f)->data.data, (const char *)req.data);
    check("end RELAY", pg_call_end(c, pg_str(text)));
  }
  pg_future_free(f);
}

int main(int argc, char **argv) {
  loop = pg_loop_default();
  int is_relay = argc > 1 && strcmp(argv[1], "relay") == 0;
  if (is_relay) {
    check("locate", pg_locate(PROBE, &probe_service));
  }
  int32_t rc = is_relay ? pg_serve(loop, RELAY, relay, NULL) : pg_serve(loop, PROBE, probe, NULL);
  if (rc != 0) {
    say("server: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  say("server: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
