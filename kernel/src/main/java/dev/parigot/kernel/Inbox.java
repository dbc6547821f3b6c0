package dev.parigot.kernel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A process's event queue: any thread adds, only the owning process takes. The owner parks while
 * the queue is empty; an add unparks it. Parking costs no lock, which keeps a call round trip
 * close to the bare virtual-thread hand-off.
 */
final class Inbox {
  private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
  // Payload bytes queued: what a slow reader costs the kernel.
  private final AtomicLong bytes = new AtomicLong();
  private volatile Thread waiter;

  /** Queues an event whatever its size: for events whose number is bounded elsewhere. */
  void add(Event event) {
    bytes.addAndGet(event.payload().length);
    queue.add(event);
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  /**
   * Queues an event unless the payload bytes already queued plus its own would pass {@code
   * maxBytes}. Concurrent offers may overshoot the bound by one payload each.
   */
  boolean offer(Event event, long maxBytes) {
    if (bytes.get() + event.payload().length > maxBytes) {
      return false;
    }
    add(event);
    return true;
  }

  /** Takes the oldest event, or null when none is queued. Owner only. */
  Event poll() {
    Event e = queue.poll();
    if (e != null) {
      bytes.addAndGet(-e.payload().length);
    }
    return e;
  }

  /**
   * Parks the calling owner until an event may be queued, the timeout passes, or it is interrupted.
   * May return early; callers re-check.
   *
   * @param timeoutNanos how long to park at most; negative parks without limit
   */
  void await(long timeoutNanos) {
    waiter = Thread.currentThread();
    try {
      if (queue.isEmpty()) {
        if (timeoutNanos < 0) {
          LockSupport.park(this);
        } else {
          LockSupport.parkNanos(this, timeoutNanos);
        }
      }
    } finally {
      waiter = null;
    }
  }
}
