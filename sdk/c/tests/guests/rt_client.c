/*
 * rt_client: the runtime tests' main program. argv[1] names one scenario;
 * it prints what it observes, one fact a line, and the JUnit test
 * (RuntimeTest) compares those lines with what the runtime promises.
 * The scenarios call rt_server's probe and relay (see rt.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static pg_loop *loop;
static int32_t probe;

static pg_future *call(int32_t method, const char *req) {
  return pg_call(loop, probe, method, pg_str(req), PARIGOT_TIMEOUT_DEFAULT);
}

/* The result's text, or why there is none. */
static const char *text(const pg_future *f) {
  const pg_result *r = pg_future_result(f);
  return r == NULL ? "(pending)" : (const char *)r->data.data;
}

static void print_done(pg_future *f, void *ctx) {
  const pg_result *r = pg_future_result(f);
  say("done %s: %s %s", (const char *)ctx, pg_strerror(r->status), (const char *)r->data.data);
}

/* Futures complete when their replies arrive, whatever the order of the calls. */
static void order(void) {
  static const char *names[] = {"a", "b", "c"};
  pg_future *fs[4];
  for (int i = 0; i < 3; i++) {
    fs[i] = call(M_DEFER, names[i]);
    pg_future_on_done(fs[i], print_done, (void *)names[i]);
  }
  /* Answered later, from the RELEASE handler, newest first. */
  fs[3] = call(M_RELEASE, "3");
  say("await a: %s", pg_strerror(pg_await(loop, fs[0])));
  say("await_all: %s", pg_strerror(pg_await_all(loop, fs, 4)));
  say("release: %s", text(fs[3]));
  for (int i = 0; i < 4; i++) {
    pg_future_free(fs[i]);
  }
}

static void all(void) {
  pg_future *fs[] = {call(M_ECHO, "x"), call(M_FAIL, ""), call(M_ECHO, "y")};
  say("await_all: %s", pg_strerror(pg_await_all(loop, fs, 3)));
  for (int i = 0; i < 3; i++) {
    say("future %d: %s %s", i, pg_strerror(pg_future_result(fs[i])->status), text(fs[i]));
    pg_future_free(fs[i]);
  }
}

static void any(void) {
  pg_future *fs[] = {call(M_HANG, ""), call(M_ECHO, "fast")};
  pg_future_on_done(fs[0], print_done, "hang");
  uint32_t index = 99;
  int32_t rc = pg_await_any(loop, fs, 2, &index);
  say("await_any: index %u %s %s", (unsigned)index, pg_strerror(rc), text(fs[index]));
  say("hang pending: %s", pg_future_result(fs[0]) == NULL ? "yes" : "no");

  pg_future *started = call(M_STARTED, "");
  pg_await(loop, started);
  say("cancel: %s", pg_strerror(pg_future_cancel(fs[0])));
  say("cancel again: %s", pg_strerror(pg_future_cancel(fs[0])));
  pg_future *why = call(M_CANCELLED, "");
  pg_await(loop, why);
  say("provider saw: %s", text(why));
  pg_future *rest[] = {fs[0], fs[1], started, why};
  for (int i = 0; i < 4; i++) {
    pg_future_free(rest[i]);
  }
}

/* Freeing a pending future cancels its call at the provider. */
static void free_pending(void) {
  pg_future *hang = call(M_HANG, "");
  pg_future *started = call(M_STARTED, "");
  pg_await(loop, started);
  pg_future_free(hang);
  pg_future *why = call(M_CANCELLED, "");
  pg_await(loop, why);
  say("provider saw: %s", text(why));
  pg_future_free(started);
  pg_future_free(why);
}

static void timeout(void) {
  /* Long enough for the probe to take the call first (a call that times
   * out unread never reaches it), which STARTED confirms. */
  pg_future *hang = pg_call(loop, probe, M_HANG, pg_str(""), 1000);
  pg_future *started = call(M_STARTED, "");
  pg_await(loop, started);
  say("hang: %s", pg_strerror(pg_await(loop, hang)));
  pg_future *why = call(M_CANCELLED, "");
  pg_await(loop, why);
  say("provider saw: %s", text(why));
  pg_future_free(hang);
  pg_future_free(started);
  pg_future_free(why);
}

/* A 1 MiB reply: the loop's 4 KiB payload buffer must grow to take it. */
static void big(void) {
  pg_future *f = call(M_BIG, "1048576");
  int32_t rc = pg_await(loop, f);
  pg_bytes data = pg_future_result(f)->data;
  uint32_t bad = 0;
  for (uint32_t i = 0; i < data.len; i++) {
    bad += data.data[i] != (uint8_t)(i % 251);
  }
  say("big: %s, %u bytes, %u wrong", pg_strerror(rc), (unsigned)data.len, (unsigned)bad);
  pg_future_free(f);
}

static void print_partial(pg_future *f, pg_bytes partial, void *ctx) {
  (void)f;
  (void)ctx;
  say("partial: %.*s", (int)partial.len, (const char *)partial.data);
}

static void stream(void) {
  pg_future *f = call(M_STREAM, "3");
  pg_future_on_partial(f, print_partial, NULL);
  say("streamed: %s %s, %u kept", pg_strerror(pg_await(loop, f)), text(f),
      (unsigned)pg_future_partial_count(f));
  pg_future_free(f);

  f = call(M_STREAM, "2");
  say("kept: %s %s", pg_strerror(pg_await(loop, f)), text(f));
  for (uint32_t i = 0; i < pg_future_partial_count(f); i++) {
    say("kept %u: %s", (unsigned)i, (const char *)pg_future_partial(f, i).data);
  }
  pg_future_free(f);
}

/* Errors found before anything is sent complete the future at once. */
static void sync_errors(void) {
  pg_future *f = pg_call(loop, 12345, M_ECHO, pg_str("x"), PARIGOT_TIMEOUT_DEFAULT);
  say("bad service: %s", pg_future_result(f) ? pg_strerror(pg_future_result(f)->status) : "pending");
  pg_future_free(f);
  f = pg_call(loop, probe, -1, pg_str("x"), PARIGOT_TIMEOUT_DEFAULT);
  say("bad method: %s", pg_future_result(f) ? pg_strerror(pg_future_result(f)->status) : "pending");
  say("cancel done: %s", pg_strerror(pg_future_cancel(f)));
  pg_future_free(f);
  f = pg_future_failed(loop, PG_E_DECODE);
  say("failed: %s", pg_strerror(pg_await(loop, f)));
  pg_future_free(f);

  int32_t h = 0;
  say("locate secret: %s", pg_strerror(pg_locate("rt.v1.Secret", &h)));
  say("locate bad name: %s", pg_strerror(pg_locate("no spaces", &h)));
  say("run_once idle: %d", (int)pg_run_once(loop, 0));
  say("strerror: %s; %s; %s", pg_strerror(7), pg_strerror(-PARIGOT_E_PROVIDER_DIED),
      pg_strerror(PG_E_NOMEM));
}

/* What the client sees of a server that answers wrongly. */
static void misuse(void) {
  pg_future *silent = pg_call(loop, probe, M_SILENT, pg_str(""), 200);
  say("silent: %s", pg_strerror(pg_await(loop, silent)));
  pg_future *twice = call(M_TWICE, "");
  say("twice: %s %s", pg_strerror(pg_await(loop, twice)), text(twice));
  pg_future *fail = call(M_FAIL, "");
  say("fail: %s %s", pg_strerror(pg_await(loop, fail)), text(fail));
  pg_future *echo = call(M_ECHO, "still serving");
  say("echo: %s %s", pg_strerror(pg_await(loop, echo)), text(echo));
  pg_future *fs[] = {silent, twice, fail, echo};
  for (int i = 0; i < 4; i++) {
    pg_future_free(fs[i]);
  }
}

static void relay(void) {
  int32_t relay_service;
  int32_t rc = pg_locate(RELAY, &relay_service);
  if (rc != 0) {
    say("locate relay: %s", pg_strerror(rc));
    return;
  }
  pg_future *f = pg_call(loop, relay_service, M_RELAY, pg_str("hi"), PARIGOT_TIMEOUT_DEFAULT);
  say("relay: %s %s", pg_strerror(pg_await(loop, f)), text(f));
  pg_future_free(f);
}

/* ---- workers ---- */

static int live_workers;

static void parent_got(int32_t link, pg_bytes msg, void *ctx) {
  (void)link;
  say("parent got from %s: %.*s", (const char *)ctx, (int)msg.len, (const char *)msg.data);
}

static void worker_exited(int32_t link, int32_t code, void *ctx) {
  (void)link;
  say("%s exited: %d", (const char *)ctx, (int)code);
  if (--live_workers == 0) {
    pg_stop(loop);
  }
}

static void workers(void) {
  int32_t echo, exiter, doomed, link;
  say("spawn nope: %s", pg_strerror(pg_spawn(loop, "nope", pg_str(""), parent_got,
                                             worker_exited, "nope", &link)));
  int32_t rc = pg_spawn(loop, "rt_echo_worker", pg_str("2"), parent_got, worker_exited, "echo",
                        &echo);
  say("spawn echo: %s", pg_strerror(rc));
  /* Sent at once: they queue behind the argument, before the worker has
   * set its message callback, and must not be lost. */
  say("send one: %s", pg_strerror(pg_send(echo, pg_str("one"))));
  say("send two: %s", pg_strerror(pg_send(echo, pg_str("two"))));
  say("spawn exiter: %s", pg_strerror(pg_spawn(loop, "rt_exit_worker", pg_str("3"), parent_got,
                                               worker_exited, "exiter", &exiter)));
  say("spawn doomed: %s", pg_strerror(pg_spawn(loop, "rt_echo_worker", pg_str("5"), parent_got,
                                               worker_exited, "doomed", &doomed)));
  say("stop doomed: %s", pg_strerror(pg_worker_stop(loop, doomed)));
  say("stop doomed again: %s", pg_strerror(pg_worker_stop(loop, doomed)));
  live_workers = 2;
  say("run: %s", pg_strerror(pg_run(loop)));
}

/* Worker entries: instances of this module that run these instead of main. */

static int32_t parent;
static uint32_t echoes_left;

/* Answers each message by echoing it through the probe, awaiting the call
 * inside this callback: msg must survive the nested wait. While it waits,
 * the next message is dispatched (nested), so the answers may come back in
 * either order. */
static void echo_message(int32_t link, pg_bytes msg, void *ctx) {
  (void)link;
  (void)ctx;
  say("worker got: %.*s", (int)msg.len, (const char *)msg.data);
  /* A different payload, so that a reused wait buffer would show in msg. */
  char req[64];
  snprintf(req, sizeof req, "echo of %.*s", (int)msg.len, (const char *)msg.data);
  pg_future *f = pg_call(loop, probe, M_ECHO, pg_str(req), PARIGOT_TIMEOUT_DEFAULT);
  int32_t rc = pg_await(loop, f);
  char reply[128];
  snprintf(reply, sizeof reply, "%s via probe: %s (msg still %.*s)", pg_strerror(rc), text(f),
           (int)msg.len, (const char *)msg.data);
  pg_future_free(f);
  int32_t sent = pg_send(parent, pg_str(reply));
  if (sent != 0) {
    pg_log(PG_LOG_ERROR, "worker: send: %s", pg_strerror(sent));
  }
  if (--echoes_left == 0) {
    pg_stop(loop);
  }
}

__attribute__((export_name("rt_echo_worker"))) void rt_echo_worker(void) {
  loop = pg_loop_default();
  pg_bytes arg;
  parent = pg_worker_arg(loop, &arg);
  if (parent < 0 || pg_locate(PROBE, &probe) != 0) {
    exit(1);
  }
  echoes_left = (uint32_t)strtoul((const char *)arg.data, NULL, 10);
  pg_worker_on_message(loop, echo_message, NULL);
  pg_run(loop); /* until the last echo; returning is exit code 0 */
}

__attribute__((export_name("rt_exit_worker"))) void rt_exit_worker(void) {
  loop = pg_loop_default();
  pg_bytes arg;
  parent = pg_worker_arg(loop, &arg);
  pg_send(parent, pg_str("bye"));
  exit(atoi((const char *)arg.data));
}

int main(int argc, char **argv) {
  static const struct {
    const char *name;
    void (*run)(void);
  } scenarios[] = {
      {"order", order},   {"all", all},           {"any", any},       {"free", free_pending},
      {"timeout", timeout}, {"big", big},         {"stream", stream}, {"sync", sync_errors},
      {"misuse", misuse}, {"relay", relay},       {"workers", workers},
  };
  loop = pg_loop_default();
  int32_t rc = pg_locate(PROBE, &probe);
  if (rc != 0) {
    say("locate: %s", pg_strerror(rc));
    return 1;
  }
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
    if (argc > 1 && strcmp(argv[1], scenarios[i].name) == 0) {
      scenarios[i].run();
      say("end of %s", argv[1]);
      return 0;
    }
  }
  say("no scenario %s", argc > 1 ? argv[1] : "(none)");
  return 2;
}
