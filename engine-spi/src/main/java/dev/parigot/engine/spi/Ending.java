package dev.parigot.engine.spi;

/** How a {@link Guest#run} ended. */
public sealed interface Ending {
  /** The entry function returned. */
  record Returned() implements Ending {}

  /**
   * The guest called WASI {@code proc_exit}.
   *
   * @param code the exit code it chose
   */
  record Exited(int code) implements Ending {}

  /** The guest stopped after {@link Guest#stop} and an interrupt. */
  record Stopped() implements Ending {}

  /**
   * The guest trapped, or could not be instantiated.
   *
   * @param description what happened, with the guest's own stack (function names where the module
   *     has a name section) when the engine knows it: one line, then one line a frame
   */
  record Trapped(String description) implements Ending {}
}
