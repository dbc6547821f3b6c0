package dev.parigot.kernel.core;

import java.util.Optional;

/**
 * How a process ended.
 *
 * @param code the exit code the process chose, or {@link #KILLED} when the kernel ended it
 * @param killReason why the kernel ended it
 */
record Exit(int code, Optional<String> killReason) {
  /** The exit code reported for a killed process, as sysexits' EX_SOFTWARE. */
  static final int KILLED = 70;

  static Exit normal(int code) {
    return new Exit(code, Optional.empty());
  }

  static Exit killed(String reason) {
    return new Exit(KILLED, Optional.of(reason));
  }

  boolean wasKilled() {
    return killReason.isPresent();
  }

  @Override
  public String toString() {
    return killReason.map(r -> "killed: " + r).orElse("exited with code " + code);
  }
}
