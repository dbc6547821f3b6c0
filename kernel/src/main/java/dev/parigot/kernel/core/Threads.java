package dev.parigot.kernel.core;

import java.util.concurrent.ThreadFactory;

/** The one place where the kernel creates threads, so their kinds and names stay deliberate. */
final class Threads {
  private static final ThreadFactory PROCESSES =
      Thread.ofVirtual().name("parigot-process-", 1).factory();

  private static final ThreadFactory CALLBACKS =
      Thread.ofVirtual().name("parigot-ready-", 1).factory();

  private Threads() {}

  /** A virtual thread for a provider's onReady callback; not started. */
  static Thread callback(Runnable body) {
    return CALLBACKS.newThread(body);
  }

  /** The scheduler's virtual thread that tells whether a carrier comes free; not started. */
  static Thread canary(Runnable body) {
    return Thread.ofVirtual().name("parigot-canary").unstarted(body);
  }

  /** A virtual thread for one process; not started. */
  static Thread process(Runnable body) {
    return PROCESSES.newThread(body);
  }

  /**
   * A daemon platform thread. Kernel housekeeping (the scheduler, deadlines) runs on platform
   * threads because virtual threads are not preempted: guests spinning on every carrier would
   * otherwise starve the very code meant to stop them.
   */
  static Thread daemon(String name, Runnable body) {
    return Thread.ofPlatform().name(name).daemon().unstarted(body);
  }
}
