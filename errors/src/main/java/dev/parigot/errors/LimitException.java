package dev.parigot.errors;

/** A limit was reached: a time-out passed, or a size or count would be exceeded. */
public final class LimitException extends ParigotException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message the limit, its value, and what reached it
   */
  public LimitException(String message) {
    super(message);
  }
}
