package dev.parigot.kernel.core;

import dev.parigot.abi.EventLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A process's event queue: any thread adds, only the owning process takes. The owner parks while
 * the queue is empty; an add unparks it. Parking costs no lock, which keeps a call round trip close
 * to the bare virtual-thread hand-off. Before it parks, the owner yields its carrier a few times:
 * an event that comes meanwhile, such as the answer to a call to a process that runs on the same
 * carrier, then costs no park and unpark (RATIONALE.md, "Why does a waiting process yield before it
 * parks?").
 *
 * <p>Every queued event is also charged to the process's account in the kernel's {@link
 * MemoryLedger}, its payload plus {@link MemoryLedger#EVENT_BYTES}, until it is consumed or the
 * inbox is closed.
 */
final class Inbox {
  /** The most times a wait yields before it parks. */
  static final int MAX_YIELDS = 32;

  private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
  private final MemoryLedger.Account account;
  // Set when the owner ended: whoever adds then drains what it finds, so nothing stays charged.
  private volatile boolean closed;
  // What the queued events cost: their payloads plus a record each, so that even empty events
  // from a sender faster than the reader are bounded.
  private final AtomicLong bytes = new AtomicLong();
  private volatile Thread waiter;
  // Who waits for the queue to shrink (callers' channels whose providers asked), and whether
  // anyone may: consumed() reads only the flag, so it costs one volatile read when nobody waits.
  private final ConcurrentLinkedQueue<Runnable> roomWaiters = new ConcurrentLinkedQueue<>();
  private volatile boolean roomWanted;
  // The queued cost at or under which the waiters run; written before roomWanted is set.
  private long roomAt;
  // Owner only: halved by each wait the yields did not cover, whole again after one they did.
  private int yields = MAX_YIELDS;

  Inbox(MemoryLedger.Account account) {
    this.account = account;
  }

  /**
   * Queues an event whatever its size, for events whose number is bounded elsewhere; the caller has
   * already charged it to the account (see {@link #charge}).
   */
  void add(Event event) {
    bytes.addAndGet(cost(event));
    queue.add(event);
    if (closed) {
      drain();
      return;
    }
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  /**
   * Queues an event unless what is queued plus the event would cost more than {@code maxBytes}
   * (each event costs its payload plus one event record), or the account cannot hold it. Concurrent
   * offers may overshoot the bound by one event each; never the account.
   */
  boolean offer(Event event, long maxBytes) {
    if (!fits(event.payload().length, maxBytes) || !account.reserve(charge(event))) {
      return false;
    }
    add(event);
    return true;
  }

  /**
   * Queues a final event whose {@link MemoryLedger#EVENT_BYTES} were charged when its handle was
   * made, if its payload fits both the bound and the account; false, charging nothing, otherwise.
   */
  boolean offerFinal(Event event, long maxBytes) {
    int payload = event.payload().length;
    if (!fits(payload, maxBytes) || !account.reserve(payload)) {
      return false;
    }
    add(event);
    return true;
  }

  /** What an event is charged to the account while it is queued. */
  static long charge(Event event) {
    return event.payload().length + MemoryLedger.EVENT_BYTES;
  }

  /**
   * The owner ended: every queued event is given back to the account, now and whenever another is
   * added. Owner only, once.
   */
  void close() {
    closed = true;
    drain();
  }

  private void drain() {
    for (Event e = queue.poll(); e != null; e = queue.poll()) {
      consumed(e);
    }
  }

  /**
   * Whether an event of {@code payload} bytes would cost at most {@code maxBytes} with the queue.
   */
  private boolean fits(int payload, long maxBytes) {
    return bytes.get() + cost(payload) <= maxBytes;
  }

  /**
   * Takes the oldest event, or null when none is queued. Owner only. Its payload still counts
   * against the bound until the owner reports it {@link #consumed}: an event taken but not yet
   * delivered to the guest is still unread.
   */
  Event poll() {
    return queue.poll();
  }

  /** The owner delivered a polled event to the guest, or dropped it. */
  void consumed(Event event) {
    bytes.addAndGet(-cost(event));
    account.release(charge(event));
    if (roomWanted) {
      runRoomWaiters();
    }
  }

  /**
   * Runs {@code waiter} once, on whichever thread sees it first, when what is queued costs at most
   * {@code atMost} bytes: at once if it does now. Every waiter of one inbox uses the same {@code
   * atMost}. The waiter must be quick: it may run on the owner's thread.
   */
  void awaitRoom(Runnable waiter, long atMost) {
    roomAt = atMost;
    roomWaiters.add(waiter);
    roomWanted = true;
    // Checked after the flag is up: either this sees the room a consumed() made, or that
    // consumed() sees the flag and runs the waiter.
    runRoomWaiters();
  }

  private void runRoomWaiters() {
    if (bytes.get() > roomAt) {
      return;
    }
    roomWanted = false;
    for (Runnable w = roomWaiters.poll(); w != null; w = roomWaiters.poll()) {
      w.run();
    }
  }

  /** What the queued events cost now (see {@link #offer}). */
  long queuedBytes() {
    return bytes.get();
  }

  private static long cost(Event event) {
    return cost(event.payload().length);
  }

  private static long cost(int payload) {
    return (long) payload + EventLayout.SIZE;
  }

  /**
   * Parks the calling owner until an event may be queued, the timeout passes, or it is interrupted.
   * May return early; callers re-check.
   *
   * @param timeoutNanos how long to park at most; negative parks without limit
   * @param mayYield whether to yield before parking
   */
  void await(long timeoutNanos, boolean mayYield) {
    if (mayYield && yieldedToAnEvent()) {
      return;
    }
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

  /** Yields up to {@link #yieldBudget} times while the queue is empty; whether it is not. */
  private boolean yieldedToAnEvent() {
    for (int i = 0; queue.isEmpty(); i++) {
      if (i == yields) {
        yields = Math.max(1, yields / 2);
        return false;
      }
      Thread.yield();
    }
    yields = MAX_YIELDS;
    return true;
  }

  /** How many times the next wait yields before it parks. Owner only. */
  int yieldBudget() {
    return yields;
  }
}
