/*
 * rt.h: what the runtime test guests share: the probe service's name, its
 * methods and a printing helper. See rt_server.c for what each method does.
 */
#ifndef RT_H
#define RT_H

#include <stdio.h>

#include "parigot.h"

#define PROBE "rt.v1.Probe"
#define RELAY "rt.v1.Relay"

enum {
  M_ECHO = 1,      /* END with the request */
  M_DEFER = 2,     /* held until a RELEASE */
  M_RELEASE = 3,   /* request: n. Once n DEFERs are held, ends them newest first, then itself */
  M_BIG = 4,       /* request: n. END with n bytes, byte i = i % 251 */
  M_HANG = 5,      /* never answered; its cancellation is recorded */
  M_STARTED = 6,   /* ends once a HANG is held */
  M_CANCELLED = 7, /* ends with why the last HANG was cancelled, once it was */
  M_STREAM = 8,    /* request: n. n PARTIALs "part i", then END "end" */
  M_SILENT = 9,    /* the handler returns without answering or keeping the call */
  M_TWICE = 10,    /* END "first", then tries to answer again */
  M_FAIL = 11,     /* fails with code 0 (refused), then with 42 "no luck" */
  M_RELAY = 12     /* (relay) calls the probe's ECHO "ping", ENDs with "relayed: " + it */
};

/* Prints a line at once: services never exit, so nothing else flushes. */
#define say(...) (printf(__VA_ARGS__), putchar('\n'), fflush(stdout))

#endif
