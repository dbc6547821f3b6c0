package dev.parigot.kernel;

/** A wasm module was refused: it is malformed, or it would reach outside its process. */
public final class LoadException extends ParigotException {
  private static final long serialVersionUID = 1L;

  LoadException(String message) {
    super(message);
  }

  LoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
