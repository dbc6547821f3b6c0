/*
 * main: the client half of the errors example (vault.proto). It provokes
 * three failures and prints how each one looks through the generated stubs:
 *
 *   1. a typed application error: the vault fails Open with
 *      VAULT_ERROR_WRONG_KEY, a positive status from vault.proto's enum, with
 *      the service's message as the result's data;
 *   2. a timeout: Wait is never answered, so a 200 ms deadline fails the call
 *      with -PARIGOT_E_TIMED_OUT, a kernel error (the vault is told, too);
 *   3. a denied name: errors.v1.Secret is not under this program's requires,
 *      so connecting fails with -PARIGOT_E_NOT_PERMITTED (the kernel logs it).
 */
#include <stdio.h>

#include "vault.pg.h"

static const char *vault_error_name(int32_t code) {
  switch (code) {
    case errors_v1_VaultError_VAULT_ERROR_WRONG_KEY: return "wrong key";
    default: return "not a vault error";
  }
}

int main(void) {
  pg_loop *loop = pg_loop_default();
  errors_v1_Vault_client vault;
  int32_t rc = errors_v1_Vault_connect(&vault);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: connect %s: %s", errors_v1_Vault_NAME, pg_strerror(rc));
    return 1;
  }

  errors_v1_OpenRequest open_req;
  errors_v1_OpenRequest_init(&open_req);
  open_req.key = pg_str("guess");
  pg_future *open = errors_v1_Vault_Open(loop, &vault, &open_req, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, open);
  errors_v1_OpenReply opened;
  rc = errors_v1_Vault_Open_result(open, &opened, NULL);
  if (rc > 0) {
    printf("Open(\"guess\"): %s (application error %d): %s\n", vault_error_name(rc), (int)rc,
           (const char *)pg_future_result(open)->data.data);
  } else {
    printf("Open(\"guess\"): unexpected %s\n", pg_strerror(rc));
  }
  pg_future_free(open);

  errors_v1_WaitRequest wait_req;
  errors_v1_WaitRequest_init(&wait_req);
  pg_future *wait = errors_v1_Vault_Wait(loop, &vault, &wait_req, 200);
  pg_await(loop, wait);
  errors_v1_WaitReply waited;
  rc = errors_v1_Vault_Wait_result(wait, &waited, NULL);
  printf("Wait with a 200 ms deadline: %s\n", pg_strerror(rc));
  pg_future_free(wait);

  errors_v1_Secret_client secret;
  rc = errors_v1_Secret_connect(&secret);
  printf("connect errors.v1.Secret: %s\n", pg_strerror(rc));
  return 0;
}
