/*
 * vault: the service half of the errors example. It serves errors.v1.Vault
 * (vault.proto) through the generated server stub.
 */
#include <string.h>

#include "vault.pg.h"

static void open_vault(pg_call *call, const errors_v1_OpenRequest *req, void *ctx) {
  (void)ctx;
  if (req->key.len != 6 || memcmp(req->key.data, "sesame", 6) != 0) {
    pg_call_fail(call, errors_v1_VaultError_VAULT_ERROR_WRONG_KEY,
                 "that key does not open the vault");
    return;
  }
  errors_v1_OpenReply reply;
  errors_v1_OpenReply_init(&reply);
  reply.contents = pg_str("gold");
  errors_v1_Vault_Open_reply(call, &reply);
}

static void waiter_gone(pg_call *call, int32_t why, void *ctx) {
  (void)call;
  (void)ctx;
  pg_log(PG_LOG_INFO, "vault: a Wait call ended unanswered: %s", pg_strerror(why));
}

static void wait_forever(pg_call *call, const errors_v1_WaitRequest *req, void *ctx) {
  (void)req;
  (void)ctx;
  /* Never answered: the caller's deadline ends the call, and then the
   * runtime runs this callback and frees the call. */
  pg_call_on_cancel(call, waiter_gone, NULL);
}

int main(void) {
  static const errors_v1_Vault_handlers handlers = {.Open = open_vault, .Wait = wait_forever};
  pg_loop *loop = pg_loop_default();
  int32_t rc = errors_v1_Vault_serve(loop, &handlers, NULL);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "vault: serve: %s", pg_strerror(rc));
    return 1;
  }
  rc = pg_run(loop);
  pg_log(PG_LOG_ERROR, "vault: the loop stopped: %s", pg_strerror(rc));
  return 1;
}
