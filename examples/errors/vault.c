/*
 * vault: the service half of the errors example. See vault.h.
 */
#include <string.h>

#include "parigot.h"
#include "vault.h"

static void waiter_gone(pg_call *call, int32_t why, void *ctx) {
  (void)call;
  (void)ctx;
  pg_log(PG_LOG_INFO, "vault: a Wait call ended unanswered: %s", pg_strerror(why));
}

static void vault(pg_call *call, int32_t method, pg_bytes key, void *ctx) {
  (void)ctx;
  switch (method) {
    case VAULT_OPEN:
      if (key.len == 6 && memcmp(key.data, "sesame", 6) == 0) {
        pg_call_end(call, pg_str("opened"));
      } else {
        pg_call_fail(call, VAULT_E_WRONG_KEY, "that key does not open the vault");
      }
      break;
    case VAULT_WAIT:
      /* Never answered: the caller's deadline ends the call, and then the
       * runtime runs this callback and frees the call. */
      pg_call_on_cancel(call, waiter_gone, NULL);
      break;
    default:
      pg_call_fail(call, VAULT_E_NO_SUCH_METHOD, "no such method");
      break;
  }
}

int main(void) {
  pg_loop *loop = pg_loop_default();
  int32_t rc = pg_serve(loop, VAULT_SERVICE, vault, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "vault: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "vault: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
