package dev.parigot.services.store;

import dev.parigot.services.proto.StatusProto.Code;
import java.util.Objects;

/**
 * A store's answer that is not a result: a precondition that does not hold, a store that cannot be
 * reached. The service that called the store ends its call with {@link #code} and the message,
 * which is written for the calling program.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Code code;

  /** An error with a status code for the caller and a message that says what to do. */
  public StoreException(Code code, String message) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** An error caused by {@code cause}, e.g. the store's server being unreachable. */
  public StoreException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The status code the call ends with. */
  public Code code() {
    return code;
  }
}
