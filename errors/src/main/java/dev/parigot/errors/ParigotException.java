package dev.parigot.errors;

/**
 * The root of every failure Parigot reports, in every module.
 *
 * <p>Unchecked, because a caller can rarely do more than report it. Subclasses name the failure:
 * {@link ModuleRefusedException} for a wasm module that was refused, {@code ManifestException} for
 * a manifest that describes no runnable app, {@link DeniedException} for a service name that is not
 * served or not granted, {@link LimitException} for a limit that was reached, and {@code
 * GenerationException} for input the code generator refuses. A plain {@code ParigotException} is a
 * failure of the system itself (a database that cannot be opened, a port that cannot be bound). The
 * message is written for the person running the app: it names what failed and why.
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
