package dev.parigot.services;

import java.io.IOException;

/**
 * A request the ingress refuses while reading it: its status is what the client gets (when a
 * response can still be sent), its message the reason.
 */
final class Http1Exception extends IOException {
  private final int status;

  Http1Exception(int status, String message) {
    super(message);
    this.status = status;
  }

  /** 400, 408, 413, 414, 431, 501 or 505. */
  int status() {
    return status;
  }
}
