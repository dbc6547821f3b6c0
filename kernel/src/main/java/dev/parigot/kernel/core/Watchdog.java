package dev.parigot.kernel.core;

import dev.parigot.kernel.spi.Clock;
import java.util.Collection;

/**
 * Kills processes that run longer than their CPU slice without entering the kernel. It runs on a
 * platform thread: guests spinning on every virtual-thread carrier cannot starve it.
 */
final class Watchdog {
  /** How often processes are looked at; a slice is enforced to within about this much. */
  static final long PERIOD_MILLIS = 5;

  private final Collection<Process> processes;
  private final Clock clock;
  private final Thread thread;
  private volatile boolean stopped;

  Watchdog(Collection<Process> processes, Clock clock) {
    this.processes = processes;
    this.clock = clock;
    this.thread = Threads.daemon("parigot-watchdog", this::loop);
  }

  void start() {
    thread.start();
  }

  void stop() {
    stopped = true;
    thread.interrupt();
  }

  private void loop() {
    while (!stopped) {
      long now = clock.nanoTime();
      for (Process p : processes) {
        if (p.overran(now)) {
          p.kill(
              "CPU slice exceeded: ran more than "
                  + p.program().limits().cpuSliceMillis()
                  + " ms without entering the kernel");
        }
      }
      try {
        Thread.sleep(PERIOD_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
