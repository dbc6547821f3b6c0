package dev.parigot.services;

import dev.parigot.services.proto.StatusProto.Code;

/**
 * Ends a call with an application error: thrown by a handler, turned by {@link Dispatcher} into an
 * ERROR event with {@link #code} and the message. Carries no stack trace: it is an answer, not a
 * bug.
 */
final class Failure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Code code;

  Failure(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  Code code() {
    return code;
  }

  static Failure invalid(String message) {
    return new Failure(Code.INVALID_ARGUMENT, message);
  }

  static Failure precondition(String message) {
    return new Failure(Code.FAILED_PRECONDITION, message);
  }
}
