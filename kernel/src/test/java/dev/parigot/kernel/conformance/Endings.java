package dev.parigot.kernel.conformance;

import dev.parigot.kernel.Kernel;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The kernel output of a conformance app: how each process ended, waited for by name. */
final class Endings implements Kernel.Output {
  /** How one process ended. */
  record Ending(int code, Optional<String> killReason) {
    boolean killed() {
      return killReason.isPresent();
    }
  }

  private final Map<String, Ending> ended = new HashMap<>();

  @Override
  public void line(String process, boolean stderr, String line) {}

  @Override
  public synchronized void ended(String process, int code, Optional<String> killReason) {
    ended.put(process, new Ending(code, killReason));
    notifyAll();
  }

  /** How {@code process} ended, waiting up to 30 s for it. */
  synchronized Ending await(String process) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ended.containsKey(process)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(process + " did not end within 30 s");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return ended.get(process);
  }
}
