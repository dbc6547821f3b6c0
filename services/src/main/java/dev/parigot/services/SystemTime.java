package dev.parigot.services;

import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The host's clocks and one platform timer thread. */
final class SystemTime implements Time, AutoCloseable {
  // A platform thread, as the kernel's own timer: virtual threads are not preempted, so guests
  // spinning on every carrier could otherwise hold up ticks and visibility timeouts.
  private final ScheduledThreadPoolExecutor timer =
      new ScheduledThreadPoolExecutor(
          1, r -> Thread.ofPlatform().name("parigot-services-timer").daemon().unstarted(r));

  SystemTime() {
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public long wallNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public long nanos() {
    return System.nanoTime();
  }

  @Override
  public Scheduled schedule(long delayNanos, Runnable task) {
    var future = timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
