/*
 * main: the client half of the errors example. It provokes three failures
 * and prints how each one looks:
 *
 *   1. a typed application error: the vault fails Open with VAULT_E_WRONG_KEY
 *      (a positive status, the service's own code, with its message);
 *   2. a timeout: Wait is never answered, so a 200 ms deadline fails the call
 *      with -PARIGOT_E_TIMED_OUT (the vault is told, too);
 *   3. a denied name: errors.v1.Secret is not under this program's requires,
 *      so locating it fails with -PARIGOT_E_NOT_PERMITTED (the kernel logs it).
 */
#include <stdio.h>

#include "parigot.h"
#include "vault.h"

int main(void) {
  pg_loop *loop = pg_loop_default();
  int32_t vault;
  int32_t rc = pg_locate(VAULT_SERVICE, &vault);
  if (rc != 0) {
    pg_log(PG_LOG_ERROR, "main: locate %s: %s", VAULT_SERVICE, pg_strerror(rc));
    return 1;
  }

  pg_future *open = pg_call(loop, vault, VAULT_OPEN, pg_str("guess"), PARIGOT_TIMEOUT_DEFAULT);
  rc = pg_await(loop, open);
  if (rc > 0) {
    printf("Open(\"guess\"): %s (application error %d): %s\n", vault_error_name(rc), (int)rc,
           (const char *)pg_future_result(open)->data.data);
  } else {
    printf("Open(\"guess\"): unexpected %s\n", pg_strerror(rc));
  }
  pg_future_free(open);

  pg_future *wait = pg_call(loop, vault, VAULT_WAIT, (pg_bytes){NULL, 0}, 200);
  rc = pg_await(loop, wait);
  printf("Wait with a 200 ms deadline: %s\n", pg_strerror(rc));
  pg_future_free(wait);

  int32_t secret;
  rc = pg_locate("errors.v1.Secret", &secret);
  printf("locate errors.v1.Secret: %s\n", pg_strerror(rc));
  return 0;
}
