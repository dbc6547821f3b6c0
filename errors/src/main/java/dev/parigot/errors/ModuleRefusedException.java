package dev.parigot.errors;

/**
 * A wasm module was refused: it cannot be read, it is malformed, or it would reach outside its
 * process.
 */
public final class ModuleRefusedException extends ParigotException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message the module and why it was refused
   */
  public ModuleRefusedException(String message) {
    super(message);
  }

  /**
   * Creates an exception caused by another failure.
   *
   * @param message the module and why it was refused
   * @param cause what the engine or the file system reported
   */
  public ModuleRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
