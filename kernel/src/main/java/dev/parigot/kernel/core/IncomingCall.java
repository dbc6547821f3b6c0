package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The serving end of one call routed to a local process. Its call id is bound when the server reads
 * the CALL event, on the server's own thread; until then the call is queued and can still be
 * cancelled without the server ever seeing it.
 */
final class IncomingCall implements Provider.Cancellation {
  private final Process server;
  private final Export export;
  private final int method;
  private final byte[] request;
  private final Replies replies;
  // The call's trace context, or null: what the server's nested calls carry.
  private final String traceparent;
  // Guarded by this for changes; read without the lock to drop a withdrawn CALL event.
  private volatile boolean finished;
  // Server thread only: 0 until the CALL event is read.
  private int id;
  // The server's thread while it waits in awaitReady, for cancel to wake.
  private volatile Thread pacing;
  // Guarded by this: whether the server's account holds the charge of this call's CANCEL event,
  // which the CANCEL takes over, or the call's end gives back.
  private boolean cancelCharged;

  IncomingCall(
      Process server,
      Export export,
      int method,
      byte[] request,
      Replies replies,
      String traceparent) {
    this.traceparent = traceparent;
    this.server = server;
    this.export = export;
    this.method = method;
    this.request = request;
    this.replies = replies;
  }

  Event callEvent() {
    return new Event(EventKind.CALL.value(), method, request, this);
  }

  /** The call's trace context, or null when it is not traced. */
  String traceparent() {
    return traceparent;
  }

  Export export() {
    return export;
  }

  int id() {
    return id;
  }

  void bind(int id) {
    this.id = id;
  }

  boolean finished() {
    return finished;
  }

  /** The server's account was charged for this call's CANCEL event. */
  synchronized void holdCancelCharge() {
    cancelCharged = true;
  }

  /** The call finished without a CANCEL: its charge goes back. */
  private void dropCancelCharge() {
    if (cancelCharged) {
      cancelCharged = false;
      server.releaseEvent();
    }
  }

  /** The caller no longer wants the result: the server is told with a CANCEL event. */
  @Override
  public synchronized void cancel(Errno reason) {
    if (!finished) {
      finished = true;
      server.stopServing();
      // A call that was never queued has no CANCEL to charge, and none to show either.
      if (cancelCharged) {
        cancelCharged = false;
        server.post(new Event(EventKind.CANCEL.value(), reason.negative(), new byte[0], this));
      }
    }
    Thread t = pacing;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /**
   * Server thread, before a partial result: waits while a caller from Java ({@link App#call}: the
   * HTTP ingress) is not {@link Replies#isReady ready}. ABI v1 gives a guest no way to see
   * readiness, so the kernel paces it here, with its thread parked (not a carrier, no lock held)
   * until the caller's onReady callback, the call's end or a kill. Calls between processes are not
   * paced: the caller's queue bound rules them (docs/abi.md, "Queue bound").
   */
  void awaitReady() {
    if (replies instanceof Channel || finished || replies.isReady()) {
      return;
    }
    Thread me = Thread.currentThread();
    var woken = new AtomicBoolean();
    pacing = me;
    try {
      replies.onReady(() -> {
        woken.set(true);
        LockSupport.unpark(me);
      });
      while (!woken.get() && !finished && !me.isInterrupted()) {
        LockSupport.park(this);
      }
    } finally {
      pacing = null;
    }
  }

  /** A partial result from the server; false if the call was already finished. */
  synchronized boolean partial(byte[] data) {
    return !finished && replies.partial(data);
  }

  /**
   * The last result from the server; false if the call was already finished. Also false when the
   * caller's side ended first (deadline, queue overflow, cancel) but its cancellation has not come
   * here yet: it is on its way and brings the CANCEL event, so the server never sees a successful
   * reply for a call its caller saw fail.
   */
  synchronized boolean end(byte[] data) {
    if (finished || !replies.end(data)) {
      return false;
    }
    finished = true;
    server.stopServing();
    server.served(true);
    dropCancelCharge();
    return true;
  }

  /** An error from the server or about it; false if the call was already finished (see end). */
  synchronized boolean fail(int code, byte[] message) {
    if (finished || !replies.fail(code, message)) {
      return false;
    }
    finished = true;
    server.stopServing();
    server.served(false);
    dropCancelCharge();
    return true;
  }
}
