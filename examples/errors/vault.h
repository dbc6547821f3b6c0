/*
 * vault.h: the errors.v1.Vault service's contract, shared by its server
 * (vault.c) and its client (main.c): method numbers and the application
 * error codes the client can tell apart.
 */
#ifndef VAULT_H
#define VAULT_H

#define VAULT_SERVICE "errors.v1.Vault"

enum vault_method {
  VAULT_OPEN = 1, /* request: a key. END "opened", or fails VAULT_E_WRONG_KEY */
  VAULT_WAIT = 2  /* never answered: for showing a caller's deadline */
};

/* Application error codes: positive, so they never look like kernel errors. */
enum vault_error {
  VAULT_E_NO_SUCH_METHOD = 1,
  VAULT_E_WRONG_KEY = 2,
};

static inline const char *vault_error_name(int code) {
  switch (code) {
    case VAULT_E_NO_SUCH_METHOD: return "no such method";
    case VAULT_E_WRONG_KEY: return "wrong key";
    default: return "unknown vault error";
  }
}

#endif
