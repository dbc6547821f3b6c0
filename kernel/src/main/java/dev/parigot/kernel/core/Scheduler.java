package dev.parigot.kernel.core;

import dev.parigot.kernel.spi.Clock;
import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Shares the carrier threads among processes, and ends those past their CPU time.
 *
 * <p>Processes run on virtual threads, which the JVM never preempts. Every {@link #PERIOD_MILLIS}
 * this wakes a virtual thread of its own, the canary: if the canary has not run since the last
 * look, no carrier came free for it, so other virtual threads wait for one too (a process that was
 * started or woken, or a callback). While that is so, or while preempted processes wait, a process
 * whose turn (its run since it started or last waited) is longer than its {@code cpu_slice_ms} is
 * asked to stop at its next poll or kernel entry: it parks and joins the back of a queue of
 * preempted processes, which frees its carrier. Whenever the canary ran, the process at the head of
 * that queue is let go on. So processes that wake from a wait run first, and the ones that compute
 * take turns, first come, first served. A process that may have used up its {@code cpu_ms} is asked
 * to count its CPU time at its next poll or kernel entry, and dies if it did. Asking costs a
 * running guest nothing until then.
 *
 * <p>The scheduler runs on a platform thread: guests spinning on every carrier cannot starve it.
 */
final class Scheduler {
  /** How often processes are looked at; slices and CPU limits are kept to within about this. */
  static final long PERIOD_MILLIS = 5;

  private final Collection<Process> processes;
  private final Clock clock;
  private final boolean enabled;
  private final Queue<Process> preempted = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final Thread canary;
  private volatile boolean stopped;
  // Set before the canary is woken, cleared when it runs.
  private volatile boolean canaryDue;
  private volatile boolean starved;

  /**
   * @param enabled whether processes are preempted and CPU time limits enforced at all
   */
  Scheduler(Collection<Process> processes, Clock clock, boolean enabled) {
    this.processes = processes;
    this.clock = clock;
    this.enabled = enabled;
    this.thread = Threads.daemon("parigot-scheduler", this::loop);
    this.canary = Threads.canary(this::sing);
  }

  void start() {
    if (enabled) {
      canary.start();
      thread.start();
    }
  }

  void stop() {
    stopped = true;
    thread.interrupt();
    canary.interrupt();
  }

  /** Whether virtual threads wait for a carrier, or preempted processes to go on. Any thread. */
  boolean contended() {
    return starved || !preempted.isEmpty();
  }

  /** Queues a process that has just stopped for a preemption; {@link Process#resume} ends it. */
  void preempted(Process p) {
    preempted.add(p);
  }

  private void loop() {
    while (!stopped) {
      starved = canaryDue;
      if (!starved) {
        canaryDue = true;
        LockSupport.unpark(canary);
        Process next = preempted.poll();
        if (next != null) {
          next.resume();
        }
      }
      long now = clock.nanoTime();
      boolean contended = contended();
      for (Process p : processes) {
        p.schedule(now, contended);
      }
      try {
        Thread.sleep(PERIOD_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sing() {
    while (!stopped) {
      LockSupport.park(this);
      canaryDue = false;
    }
  }
}
