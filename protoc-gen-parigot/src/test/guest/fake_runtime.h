/*
 * fake_runtime: just enough of parigot.h for the test guest to drive the
 * generated client and server without a kernel. Every call it sees is
 * appended to a log (at fake_log()) as records
 *   kind u8, code i32 LE, len u32 LE, then len bytes
 * with kinds 'I' (invoke: code = method, service is always 7, bytes = the
 * request), 'P' (partial), 'E' (end), 'F' (fail: code, bytes = message) and
 * 'R' (a decoded reply logged by the test itself).
 */
#ifndef FAKE_RUNTIME_H
#define FAKE_RUNTIME_H

#include "parigot.h"

uint8_t *fake_log(void); /* provided by the guest: where the log goes */
uint32_t fake_log_len(void);
void fake_log_answer(uint8_t kind, int32_t code, pg_bytes data);
void fake_reset(void);
/* Hands a call to the handler pg_serve registered. */
void fake_deliver(int32_t method, pg_bytes request);
/* The next pg_invoke completes at once with this status. */
void fake_complete_with(int32_t status);

#endif /* FAKE_RUNTIME_H */
