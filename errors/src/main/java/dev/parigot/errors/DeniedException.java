package dev.parigot.errors;

/**
 * A service name was refused: nothing serves it here, it is served twice, or the caller is not
 * granted it.
 */
public final class DeniedException extends ParigotException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message the name, who asked for it, and why it was refused
   */
  public DeniedException(String message) {
    super(message);
  }
}
