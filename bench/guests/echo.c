/*
 * echo: the server of the call benchmarks. It serves "bench.v1.Echo":
 *
 *   1  Echo    END with the request, unchanged.
 *   2  Stream  request: two little-endian u32, COUNT and SIZE (at most
 *              CHUNK_MAX); sends COUNT PARTIAL replies of SIZE bytes, then an
 *              empty END.
 *
 * It drains up to MAX_EVENTS events per wait, as a busy server should, and
 * answers each call before its next wait. Nothing here allocates.
 */
#include <stdint.h>
#include <string.h>

#include "parigot_abi.h"

#define SERVICE "bench.v1.Echo"
#define METHOD_ECHO 1
#define METHOD_STREAM 2
#define MAX_EVENTS 64
#define CHUNK_MAX 65536

static parigot_event events[MAX_EVENTS];
/* Room for a full batch of 64-byte requests, and then some. */
static uint8_t buf[65536];
static uint8_t chunk[CHUNK_MAX];

static uint32_t u32_at(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static void stream(int32_t id, const uint8_t *req, uint32_t len) {
  if (len < 8 || u32_at(req + 4) > CHUNK_MAX) {
    parigot_fail(id, 1, "bad stream request", 18);
    return;
  }
  uint32_t count = u32_at(req);
  int32_t size = (int32_t)u32_at(req + 4);
  for (uint32_t i = 0; i < count; i++) {
    /* CANCELLED: the caller gave up or its queue is full; its CANCEL follows. */
    if (parigot_reply(id, PARIGOT_REPLY_PARTIAL, chunk, size) < 0) {
      return;
    }
  }
  parigot_reply(id, PARIGOT_REPLY_END, chunk, 0);
}

int main(void) {
  memset(chunk, 'x', sizeof chunk);
  if (parigot_export(SERVICE, (int32_t)(sizeof SERVICE - 1)) < 0) {
    return 1;
  }
  for (;;) {
    int32_t n = parigot_wait(events, MAX_EVENTS, buf, (int32_t)sizeof buf, PARIGOT_TIMEOUT_DEFAULT);
    if (n < 0) {
      return 1;
    }
    for (int32_t i = 0; i < n; i++) {
      const parigot_event *ev = &events[i];
      if (ev->kind != PARIGOT_EVENT_CALL) {
        continue; /* a CANCEL: every call was answered already */
      }
      const uint8_t *req = buf + ev->payload_offset;
      if (ev->code == METHOD_ECHO) {
        parigot_reply(ev->handle, PARIGOT_REPLY_END, req, (int32_t)ev->payload_len);
      } else if (ev->code == METHOD_STREAM) {
        stream(ev->handle, req, ev->payload_len);
      } else {
        parigot_fail(ev->handle, 2, "no such method", 14);
      }
    }
  }
}
