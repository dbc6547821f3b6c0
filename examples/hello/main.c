/*
 * main: the client half of the hello example.
 *
 * Calls hello.v1.Greeter's Greet with its first argument (or "world"),
 * prints the greeting and exits 0. If the call fails it prints why to
 * stderr and exits 1.
 *
 * The call is asynchronous: parigot_call returns a channel at once and the
 * result arrives later as events on it (PARTIAL ones, then one END or ERROR).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot_abi.h"
#include "parigot_example.h"

#define GREETER_SERVICE "hello.v1.Greeter"
#define GREETER_METHOD_GREET 1

/* Prints why the call failed: a kernel errno (negative) or the greeter's own
 * application code (positive); either way the payload is a message. */
static void print_error(const parigot_event *ev, const uint8_t *msg) {
  if (ev->code < 0) {
    fprintf(stderr, "main: Greet failed: %s", parigot_strerror(ev->code));
  } else {
    fprintf(stderr, "main: Greet failed: application error %d", (int)ev->code);
  }
  if (ev->payload_len > 0) {
    fprintf(stderr, ": %.*s", (int)ev->payload_len, (const char *)msg);
  }
  fprintf(stderr, "\n");
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "world";
  int32_t name_len = px_strlen(name);
  if (name_len < 0) {
    fprintf(stderr, "main: the name is too long\n");
    return 1;
  }

  int32_t greeter = parigot_locate(GREETER_SERVICE, (int32_t)(sizeof GREETER_SERVICE - 1));
  if (greeter < 0) {
    fprintf(stderr, "main: locate %s: %s\n", GREETER_SERVICE, parigot_strerror(greeter));
    return 1;
  }

  /* The default timeout is the manifest's call_timeout_ms: if the greeter
   * never answers, an ERROR (TIMED_OUT) arrives, so the wait below ends. */
  int32_t channel =
      parigot_call(greeter, GREETER_METHOD_GREET, name, name_len, PARIGOT_TIMEOUT_DEFAULT);
  if (channel < 0) {
    fprintf(stderr, "main: call %s: %s\n", GREETER_SERVICE, parigot_strerror(channel));
    return 1;
  }

  px_inbox inbox;
  if (px_inbox_init(&inbox, 256) != 0) {
    fprintf(stderr, "main: out of memory\n");
    return 1;
  }

  /* The greeting: PARTIAL payloads (the greeter sends none today, but a
   * service may stream) followed by the END payload. */
  char *greeting = NULL;
  size_t greeting_len = 0;

  for (;;) {
    /* Wait forever: the call's own deadline bounds this. */
    int32_t n = px_wait(&inbox, PARIGOT_TIMEOUT_DEFAULT);
    if (n < 0) {
      fprintf(stderr, "main: wait: %s\n", parigot_strerror(n));
      return 1;
    }
    for (int32_t i = 0; i < n; i++) {
      const parigot_event *ev = &inbox.events[i];
      if (ev->handle != channel) {
        continue; /* not ours: main opens no other handle */
      }
      switch (ev->kind) {
        case PARIGOT_EVENT_PARTIAL:
        case PARIGOT_EVENT_END:
          if (ev->payload_len > 0) {
            char *grown = realloc(greeting, greeting_len + ev->payload_len);
            if (grown == NULL) {
              fprintf(stderr, "main: out of memory\n");
              return 1;
            }
            greeting = grown;
            memcpy(greeting + greeting_len, px_payload(&inbox, ev), ev->payload_len);
            greeting_len += ev->payload_len;
          }
          if (ev->kind == PARIGOT_EVENT_END) {
            /* END released the channel. */
            if (printf("%.*s\n", (int)greeting_len, greeting != NULL ? greeting : "") < 0 ||
                fflush(stdout) != 0) {
              fprintf(stderr, "main: cannot write to stdout\n");
              return 1;
            }
            free(greeting);
            return 0;
          }
          break;
        case PARIGOT_EVENT_ERROR:
          print_error(ev, px_payload(&inbox, ev));
          return 1;
        default:
          fprintf(stderr, "main: ignoring an unexpected event (kind %u) on the call\n",
                  (unsigned)ev->kind);
          break;
      }
    }
  }
}
