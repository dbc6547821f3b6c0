/*
 * parigot_example.h: the few helpers the example programs share, on top of
 * the raw ABI binding parigot_abi.h (generated from abi/abi.toml).
 *
 * This is deliberately a thin, hand-written layer; the C SDK replaces it.
 * See docs/abi.md for what each call does.
 */
#ifndef PARIGOT_EXAMPLE_H
#define PARIGOT_EXAMPLE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot_abi.h"

/* How many events one px_wait call takes at most. */
#define PX_MAX_EVENTS 16

/*
 * Where parigot_wait writes: the fixed-size event records and the buffer
 * their payloads are packed into. The buffer grows when an event's payload
 * does not fit (see px_wait), so it never has to be sized for the largest
 * message up front.
 */
typedef struct px_inbox {
  parigot_event events[PX_MAX_EVENTS];
  uint8_t *buf;
  int32_t buf_len;
} px_inbox;

/* Allocates the payload buffer. Returns 0, or -1 if out of memory. */
static inline int px_inbox_init(px_inbox *in, int32_t buf_len) {
  memset(in->events, 0, sizeof in->events);
  in->buf = malloc((size_t)buf_len);
  in->buf_len = in->buf != NULL ? buf_len : 0;
  return in->buf != NULL ? 0 : -1;
}

/*
 * Waits for events as parigot_wait does (timeout_ms: -1 forever, 0 poll,
 * > 0 milliseconds) and returns how many were written to in->events (0 on
 * timeout) or a negative errno.
 *
 * When the first pending event does not fit the buffer, the kernel answers
 * -PARIGOT_E_BUFFER_TOO_SMALL with the size it needs in
 * events[0].payload_len and consumes nothing, so nothing is lost: grow the
 * buffer and wait again (the event is still pending, so that returns at
 * once). -PARIGOT_E_BUFFER_TOO_SMALL is returned only if the buffer cannot
 * grow (out of memory), after saying so on stderr.
 */
static inline int32_t px_wait(px_inbox *in, int64_t timeout_ms) {
  for (;;) {
    int32_t n = parigot_wait(in->events, PX_MAX_EVENTS, in->buf, in->buf_len, timeout_ms);
    if (n != -PARIGOT_E_BUFFER_TOO_SMALL) {
      return n;
    }
    uint32_t need = in->events[0].payload_len;
    if (need <= (uint32_t)in->buf_len || need > INT32_MAX) {
      /* Growing would not help: report it rather than loop forever. */
      fprintf(stderr, "px_wait: the kernel asked for %u bytes with %d available\n",
              (unsigned)need, (int)in->buf_len);
      return n;
    }
    /* At least double, so a run of growing messages reallocates rarely. */
    int32_t len = in->buf_len <= INT32_MAX / 2 ? 2 * in->buf_len : INT32_MAX;
    if ((uint32_t)len < need) {
      len = (int32_t)need;
    }
    uint8_t *buf = realloc(in->buf, (size_t)len);
    if (buf == NULL) {
      fprintf(stderr, "px_wait: out of memory growing the event buffer to %d bytes\n", (int)len);
      return n;
    }
    in->buf = buf;
    in->buf_len = len;
  }
}

/* The payload of an event px_wait returned; valid until the next px_wait. */
static inline const uint8_t *px_payload(const px_inbox *in, const parigot_event *ev) {
  return in->buf + ev->payload_offset;
}

/* A C string's length as the ABI's int32 length (-1 if it does not fit). */
static inline int32_t px_strlen(const char *s) {
  size_t len = strlen(s);
  return len <= INT32_MAX ? (int32_t)len : -1;
}

#endif /* PARIGOT_EXAMPLE_H */
