package dev.parigot.kernel.conformance;

import dev.parigot.kernel.spi.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A kernel clock that moves only when a test advances it: deadlines without sleeping. */
public final class ManualClock implements Clock {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return now.get();
  }

  /** Moves the clock forward by {@code by}. */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("a clock never goes backwards: " + by);
    }
    now.addAndGet(by.toNanos());
  }
}
