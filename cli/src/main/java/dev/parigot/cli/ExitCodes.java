package dev.parigot.cli;

import dev.parigot.errors.InUseException;
import dev.parigot.errors.ParigotException;
import dev.parigot.errors.StartFailedException;

/**
 * The exit codes of {@code parigot} beyond {@link Main#REFUSED} and {@link Main#FAILED}; Main's
 * {@code exitCodeList} shows them all in {@code parigot --help}, as the README does.
 */
final class ExitCodes {
  /** The app's HTTP address, or its data directory, is held by another process or kernel. */
  static final int IN_USE = 4;

  /** A program ended while starting, before it served its exports. */
  static final int START_FAILED = 5;

  private ExitCodes() {}

  /** The exit code for a refusal reported as {@code e}. */
  static int of(ParigotException e) {
    return switch (e) {
      case InUseException _ -> IN_USE;
      case StartFailedException _ -> START_FAILED;
      default -> Main.REFUSED;
    };
  }
}
