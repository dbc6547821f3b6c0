/*
 * fake_runtime: the functions of the SDK's real parigot.h (sdk/c/include)
 * that generated stubs call, faked, so that the test guest can drive the
 * generated client and server without a kernel.
 *
 * Why not link the real runtime (sdk/c/src/parigot.c)? Its functions import
 * the kernel's ABI, and this guest must stay import-free so the Java tests
 * can run it in a bare Chicory instance; and the tests want to see exactly
 * the bytes the stubs hand to the runtime. The generated code is still
 * compiled against the real header, so a signature that drifts from it
 * fails the build. Examples (examples/) run generated stubs on the real
 * runtime under the kernel. Every call it sees is
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
/* Hands a call to the handler pg_serve registered last. */
void fake_deliver(int32_t method, pg_bytes request);
/* Hands a call to the handler pg_serve registered for name; -1 if none. */
int32_t fake_deliver_to(const char *name, int32_t method, pg_bytes request);
/* The next pg_invoke completes at once with this status. */
void fake_complete_with(int32_t status);

#endif /* FAKE_RUNTIME_H */
