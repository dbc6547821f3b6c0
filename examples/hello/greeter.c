/*
 * greeter: the service half of the hello example.
 *
 * It serves "hello.v1.Greeter" with one method:
 *
 *   1  Greet  request: a name (bytes, any length)
 *             reply:   "Hello, <name>!" as a single END reply
 *
 * Any other method fails with the application code GREETER_E_NO_SUCH_METHOD.
 *
 * Like every service program it exports its name and then loops in
 * parigot_wait forever; the kernel ends it when the app stops.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot_abi.h"
#include "parigot_example.h"

#define GREETER_SERVICE "hello.v1.Greeter"
#define GREETER_METHOD_GREET 1

/* Application error codes: positive, the caller sees them in its ERROR event. */
#define GREETER_E_NO_SUCH_METHOD 1 /* the method number is not one of ours */
#define GREETER_E_TOO_LONG 2       /* the greeting is too large to send */

static const char PREFIX[] = "Hello, ";
static const char SUFFIX[] = "!";
#define PREFIX_LEN ((int32_t)(sizeof PREFIX - 1))
#define SUFFIX_LEN ((int32_t)(sizeof SUFFIX - 1))

/* Ends an incoming call with an application error. */
static void fail_call(int32_t call_id, int32_t code, const char *msg) {
  int32_t rc = parigot_fail(call_id, code, msg, px_strlen(msg));
  if (rc == -PARIGOT_E_CANCELLED) {
    /* The caller gave up first; the CANCEL event that follows releases the id. */
    return;
  }
  if (rc < 0) {
    fprintf(stderr, "greeter: fail(call %d): %s\n", (int)call_id, parigot_strerror(rc));
  }
}

/* Answers Greet: the request payload is the name. */
static void greet(int32_t call_id, const uint8_t *name, uint32_t name_len) {
  if (name_len > (uint32_t)(INT32_MAX - PREFIX_LEN - SUFFIX_LEN)) {
    fail_call(call_id, GREETER_E_TOO_LONG, "the name is too long");
    return;
  }
  int32_t len = PREFIX_LEN + (int32_t)name_len + SUFFIX_LEN;
  char *greeting = malloc((size_t)len);
  if (greeting == NULL) {
    fail_call(call_id, GREETER_E_TOO_LONG, "the name is too long: out of memory");
    return;
  }
  memcpy(greeting, PREFIX, (size_t)PREFIX_LEN);
  memcpy(greeting + PREFIX_LEN, name, name_len);
  memcpy(greeting + PREFIX_LEN + name_len, SUFFIX, (size_t)SUFFIX_LEN);

  int32_t rc = parigot_reply(call_id, PARIGOT_REPLY_END, greeting, len);
  free(greeting);
  if (rc == -PARIGOT_E_MESSAGE_TOO_BIG) {
    /* The reply was refused but the call is still open: end it with an error. */
    fail_call(call_id, GREETER_E_TOO_LONG, "the greeting is larger than max_message_bytes");
  } else if (rc == -PARIGOT_E_CANCELLED) {
    /* The caller cancelled or timed out meanwhile; its CANCEL event follows. */
  } else if (rc < 0) {
    fprintf(stderr, "greeter: reply(call %d): %s\n", (int)call_id, parigot_strerror(rc));
  }
}

static void handle(const px_inbox *inbox, const parigot_event *ev) {
  switch (ev->kind) {
    case PARIGOT_EVENT_CALL:
      /* handle = the new call id, code = the method, payload = the request.
       * We export one name only, so ev->service needs no look. */
      if (ev->code == GREETER_METHOD_GREET) {
        greet(ev->handle, px_payload(inbox, ev), ev->payload_len);
      } else {
        char msg[64];
        snprintf(msg, sizeof msg, GREETER_SERVICE " has no method %d", (int)ev->code);
        fail_call(ev->handle, GREETER_E_NO_SUCH_METHOD, msg);
      }
      break;
    case PARIGOT_EVENT_CANCEL:
      /* Every call is answered before the next wait, so nothing is pending
       * here: a CANCEL only follows a reply that was refused with CANCELLED.
       * Reading it released the call id; there is nothing to clean up. */
      break;
    default:
      /* A service that makes no calls and spawns no workers gets no other kind. */
      fprintf(stderr, "greeter: ignoring an unexpected event (kind %u, handle %d)\n",
              (unsigned)ev->kind, (int)ev->handle);
      break;
  }
}

int main(void) {
  px_inbox inbox;
  /* Room for most names; px_wait grows it for longer ones. */
  if (px_inbox_init(&inbox, 256) != 0) {
    fprintf(stderr, "greeter: out of memory\n");
    return 1;
  }

  int32_t service = parigot_export(GREETER_SERVICE, (int32_t)(sizeof GREETER_SERVICE - 1));
  if (service < 0) {
    fprintf(stderr, "greeter: export %s: %s\n", GREETER_SERVICE, parigot_strerror(service));
    return 1;
  }

  for (;;) {
    /* Wait forever: a service has nothing to do between calls. */
    int32_t n = px_wait(&inbox, PARIGOT_TIMEOUT_DEFAULT);
    if (n == -PARIGOT_E_SHUTTING_DOWN) {
      return 0;
    }
    if (n < 0) {
      fprintf(stderr, "greeter: wait: %s\n", parigot_strerror(n));
      return 1;
    }
    for (int32_t i = 0; i < n; i++) {
      handle(&inbox, &inbox.events[i]);
    }
  }
}
