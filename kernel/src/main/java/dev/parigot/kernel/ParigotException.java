package dev.parigot.kernel;

/**
 * The root of every failure Parigot reports.
 *
 * <p>Unchecked, because a caller can rarely do more than report it. Subclasses mirror the failure
 * categories, such as {@link ManifestException} for a manifest that describes no runnable app and
 * {@link LoadException} for a refused wasm module; a plain {@code ParigotException} is any other
 * refusal. The message is written for the person running the app: it names what failed and why.
 */
public class ParigotException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed and why
   */
  public ParigotException(String message) {
    super(message);
  }

  /**
   * Creates an exception caused by another failure.
   *
   * @param message what failed and why
   * @param cause the failure underneath
   */
  public ParigotException(String message, Throwable cause) {
    super(message, cause);
  }
}
