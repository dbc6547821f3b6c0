package dev.parigot.kernel.core;

import dev.parigot.kernel.spi.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Call deadlines: a wheel of time slots swept by one platform thread. Every call has a deadline by
 * default and most finish long before it, so arming one costs the caller only a push onto its own
 * list of {@link Armed} calls, which no other process touches. At each tick the sweeper takes every
 * such list and files the calls that are still open into the wheel's slots; the rest it drops, and
 * they never touch the wheel. A deadline fires at most about one {@link #TICK_NANOS} late.
 */
final class Deadlines {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  // 1024 ticks of 5 ms: a turn of about 5 s; later deadlines wait in their slot for later turns.
  private static final int SLOTS = 1024;

  private final Clock clock;
  private final long origin;
  private final Set<Channel>[] slots;
  private final Set<Armed> callers = ConcurrentHashMap.newKeySet();
  private final Thread sweeper = Threads.daemon("parigot-deadlines", this::loop);
  private volatile boolean stopped;

  @SuppressWarnings("unchecked")
  Deadlines(Clock clock) {
    this.clock = clock;
    this.origin = clock.nanoTime();
    slots = new Set[SLOTS];
    for (int i = 0; i < SLOTS; i++) {
      slots[i] = ConcurrentHashMap.newKeySet();
    }
  }

  /** The time deadlines are measured in. */
  long now() {
    return clock.nanoTime();
  }

  void start() {
    sweeper.start();
  }

  void stop() {
    stopped = true;
    sweeper.interrupt();
  }

  /**
   * The calls one process armed since the sweeper last looked, newest first: the process pushes,
   * the sweeper takes them all at once.
   */
  static final class Armed {
    private record Link(Channel channel, Link next) {}

    private final AtomicReference<Link> newest = new AtomicReference<>();

    private Link takeAll() {
      // Read first: most processes armed nothing since the last tick, and a read leaves their
      // list's cache line shared.
      return newest.get() == null ? null : newest.getAndSet(null);
    }
  }

  /** A new list of armed calls for one process, swept until {@link #unregister}ed. */
  Armed register() {
    var armed = new Armed();
    callers.add(armed);
    return armed;
  }

  /** The process ended: it arms nothing more, and its open calls were abandoned. */
  void unregister(Armed armed) {
    callers.remove(armed);
  }

  /**
   * Arms {@code channel}'s deadline, at {@link Channel#deadlineNanos}: the sweeper files it at its
   * next tick unless it has finished by then. Called by the process that made the call.
   */
  void arm(Armed armed, Channel channel) {
    Armed.Link head;
    Armed.Link link;
    do {
      head = armed.newest.get();
      link = new Armed.Link(channel, head);
    } while (!armed.newest.compareAndSet(head, link));
  }

  /**
   * Files {@code channel} in the slot of the first tick at or after its deadline, so that the sweep
   * of that tick runs no earlier than the deadline. Called by {@link Channel#file} alone.
   *
   * @return the slot, to {@link #disarm} with
   */
  int file(Channel channel) {
    int slot = slot(Math.ceilDiv(channel.deadlineNanos() - origin, TICK_NANOS));
    slots[slot].add(channel);
    return slot;
  }

  void disarm(Channel channel, int slot) {
    slots[slot].remove(channel);
  }

  private void loop() {
    long swept = tick(clock.nanoTime());
    while (!stopped) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = clock.nanoTime();
      for (Armed armed : callers) {
        for (var link = armed.takeAll(); link != null; link = link.next()) {
          link.channel().file(this, now);
        }
      }
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
