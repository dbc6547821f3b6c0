package dev.parigot.errors;

/**
 * Something an app needs is held by someone else: its HTTP address is bound by another process, or
 * its data directory is locked by another kernel. Reported at once, before the app starts.
 */
public final class InUseException extends ParigotException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what is held, and by whom if known
   * @param cause the failure underneath
   */
  public InUseException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception.
   *
   * @param message what is held, and by whom if known
   */
  public InUseException(String message) {
    super(message);
  }
}
