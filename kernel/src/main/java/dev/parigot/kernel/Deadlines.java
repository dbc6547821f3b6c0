package dev.parigot.kernel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Call deadlines: a wheel of time slots swept by one platform thread. Arming and disarming a
 * deadline is a set insert and remove, with no lock and no thread to wake, which matters because
 * every call has a deadline by default and most finish long before it. A deadline fires at most
 * about one {@link #TICK_NANOS} late.
 */
final class Deadlines {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  // 1024 ticks of 5 ms: a turn of about 5 s; later deadlines wait in their slot for later turns.
  private static final int SLOTS = 1024;

  private final long origin = System.nanoTime();
  private final Set<Channel>[] slots;
  private final Thread sweeper = Threads.daemon("parigot-deadlines", this::loop);
  private volatile boolean stopped;

  @SuppressWarnings("unchecked")
  Deadlines() {
    slots = new Set[SLOTS];
    for (int i = 0; i < SLOTS; i++) {
      slots[i] = ConcurrentHashMap.newKeySet();
    }
  }

  void start() {
    sweeper.start();
  }

  void stop() {
    stopped = true;
    sweeper.interrupt();
  }

  /**
   * Arms {@code channel}'s deadline, at {@link Channel#deadlineNanos}. Its slot is the first tick
   * at or after the deadline, so the sweep of that tick runs no earlier than the deadline.
   *
   * @return the slot, to {@link #disarm} with
   */
  int arm(Channel channel) {
    int slot = slot(Math.ceilDiv(channel.deadlineNanos() - origin, TICK_NANOS));
    slots[slot].add(channel);
    return slot;
  }

  void disarm(Channel channel, int slot) {
    slots[slot].remove(channel);
  }

  private void loop() {
    long swept = tick(System.nanoTime());
    while (!stopped) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = System.nanoTime();
      long tick = tick(now);
      // A sweeper that fell a whole turn behind sweeps every slot once: that catches all.
      for (long t = Math.max(swept + 1, tick - SLOTS + 1); t <= tick; t++) {
        sweep(slots[slot(t)], now);
      }
      swept = tick;
    }
  }

  private static void sweep(Set<Channel> slot, long now) {
    for (Channel channel : slot) {
      if (channel.deadlineNanos() - now <= 0) {
        slot.remove(channel);
        channel.expire();
      }
    }
  }

  private long tick(long nanos) {
    return Math.floorDiv(nanos - origin, TICK_NANOS);
  }

  private static int slot(long tick) {
    return (int) Math.floorMod(tick, SLOTS);
  }
}
