package dev.parigot.kernel;

/**
 * Unwinds a process out of the guest: thrown by the exit syscall and by a kernel decision to kill
 * it. Carries no stack trace: it is control flow, not an error.
 */
final class ProcessExit extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Exit exit;

  ProcessExit(Exit exit) {
    super(exit.toString(), null, false, false);
    this.exit = exit;
  }

  Exit exit() {
    return exit;
  }
}
