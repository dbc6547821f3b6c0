package dev.parigot.errors;

/**
 * A program of an app ended while it started, before it served what it exports: the app is not
 * started, and the programs that depend on it were not.
 */
public final class StartFailedException extends ParigotException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message the program and how it ended
   */
  public StartFailedException(String message) {
    super(message);
  }
}
