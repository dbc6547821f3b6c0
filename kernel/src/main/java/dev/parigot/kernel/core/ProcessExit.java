package dev.parigot.kernel.core;

import dev.parigot.engine.spi.Unwind;

/**
 * Unwinds a process out of the guest: thrown by the exit syscall and by a kernel decision to kill
 * it. Carries no stack trace: it is control flow, not an error.
 */
final class ProcessExit extends Unwind {
  private static final long serialVersionUID = 1L;

  private final transient Exit exit;

  ProcessExit(Exit exit) {
    super(exit.toString());
    this.exit = exit;
  }

  Exit exit() {
    return exit;
  }
}
