package dev.parigot.kernel.core;

import dev.parigot.kernel.spi.Clock;
import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Shares the carrier threads among processes, and ends those past their CPU time.
 *
 * <p>Processes run on virtual threads, which the JVM never preempts. Every {@link #PERIOD_MILLIS}
 * this wakes a virtual thread of its own, the canary: if the canary has not run since the last
 * look, no carrier came free for it, so other virtual threads wait for one too. While that is so,
 * while a process that was started or woken from a wait has not run for a period, or while
 * preempted processes wait, a process whose turn (its run since it started or last waited) has
 * taken more CPU time than its {@code cpu_slice_ms} is asked to stop at its next poll or kernel
 * entry: it parks and joins the back of a queue of preempted processes, which frees its carrier.
 * When the canary ran and no started or woken process waits, the head of that queue goes on. So
 * processes that wake from a wait run first, and the ones that compute take turns, first come,
 * first served. A process that may have used up its {@code cpu_ms} is asked to count its CPU time
 * at its next poll or kernel entry, and dies if it did. Asking costs a running guest nothing until
 * then.
 *
 * <p>The scheduler runs on a platform thread: guests spinning on every carrier cannot starve it.
 */
final class Scheduler {
  /** How often processes are looked at; slices and CPU limits are kept to within about this. */
  static final long PERIOD_MILLIS = 5;

  // How long a started or woken process may wait for a carrier before it counts as contention.
  private static final long PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);

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
  // Whether a process that was started or woken waits for a carrier.
  private volatile boolean wanted;

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

  /**
   * Whether virtual threads wait for a carrier, processes that were woken wait to run, or preempted
   * ones to go on. Any thread.
   */
  boolean contended() {
    return starved || wanted || !preempted.isEmpty();
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
      }
      long now = clock.nanoTime();
      boolean ready = false;
      for (Process p : processes) {
        ready |= p.waitsToRun(now, PATIENCE_NANOS);
      }
      wanted = ready;
      if (!starved && !ready) {
        Process next = preempted.poll();
        if (next != null) {
          next.resume();
        }
      }
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
