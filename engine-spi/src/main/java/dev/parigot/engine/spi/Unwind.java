package dev.parigot.engine.spi;

/**
 * Thrown by an {@link AbiHost} to end the guest at once (the ABI's exit, or a kill the host decided
 * on). Engines let it through {@link Guest#run} unwrapped. Carries no stack trace: it is control
 * flow, not an error.
 */
public abstract class Unwind extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an unwind.
   *
   * @param message why the guest ends
   */
  protected Unwind(String message) {
    super(message, null, false, false);
  }
}
