package dev.parigot.cluster;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;

/**
 * The provider's side of one call from another node: the {@link Replies} this kernel's provider
 * answers on. A partial result goes out while the caller's credit lasts; past it, results wait here
 * (up to the caller's bound, as they would in its queue) until credit comes back, and {@link
 * #isReady} says so to a provider that asks. The final result goes out after the partials, without
 * credit.
 */
final class ProviderCall implements Replies {
  private static final byte[] NONE = new byte[0];
  private static final byte[] PASSED =
      "the caller's deadline passed on the provider's node".getBytes(StandardCharsets.UTF_8);

  private final ServiceExport export;
  private final String id;
  private final String replyTo;
  private final String control;
  private final long bound;
  private final long opened;
  private volatile long lastSent;
  private volatile long lastHeard;
  // Set before the call is opened or ticked, if the caller sent a deadline.
  private long deadline;
  private boolean deadlined;
  // Guarded by this.
  private long credit;
  private long seq;
  private boolean finished;
  private boolean gone;
  private final ArrayDeque<Out> pending = new ArrayDeque<>();
  private long pendingBytes;
  private Runnable readyCallback;
  private Provider.Cancellation cancellation = reason -> {};
  private Errno stoppedFor = Errno.CANCELLED;
  private Joiner joining;
  private Caller caller;
  private int method;

  private record Out(String kind, int code, byte[] data) {}

  ProviderCall(
      ServiceExport export,
      String id,
      String replyTo,
      String control,
      long credit,
      long bound,
      long arrived) {
    this.export = export;
    this.opened = arrived;
    this.lastSent = arrived;
    this.lastHeard = arrived;
    this.id = id;
    this.replyTo = replyTo;
    this.control = control;
    this.credit = credit;
    this.bound = bound;
  }

  String replyTo() {
    return replyTo;
  }

  /** The caller's deadline, in {@link System#nanoTime} terms; before the call opens. */
  void deadline(long nanos) {
    deadline = nanos;
    deadlined = true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: what the caller sent as left of its deadline (RATIONALE.md, "Why these subjects and
   * headers?"), counted from the request's arrival on this node.
   */
  @Override
  public Optional<Duration> timeLeft() {
    return deadlined
        ? Optional.of(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
        : Optional.empty();
  }

  /** Hands the call to this kernel's provider of the service, unless its deadline passed. */
  void open(Caller who, int method, byte[] request) {
    if (deadlined && System.nanoTime() - deadline >= 0) {
      stop(Errno.TIMED_OUT, true);
      return;
    }
    var provider = export.provider();
    if (provider.isEmpty()) {
      fail(
          Errno.NO_SUCH_SERVICE.negative(),
          ("nothing serves " + export.service + " on this node now")
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    Provider.Cancellation c = provider.get().open(who, method, request, this);
    boolean cancelNow;
    Errno reason;
    synchronized (this) {
      cancellation = c;
      cancelNow = gone;
      reason = stoppedFor;
    }
    if (cancelNow) {
      c.cancel(reason);
    }
  }

  /** The request was cut into chunks: accepts it, so the caller sends the rest. */
  void expectRest(Caller who, int method, byte[] first) {
    synchronized (this) {
      caller = who;
      this.method = method;
      joining = new Joiner(bound);
      joining.add(first);
      send(Wire.ACCEPT, 0, NONE);
    }
  }

  /** A message on the call's control subject, on the serving dispatcher thread. */
  void control(Message m, Fields f) {
    lastHeard = System.nanoTime();
    switch (f.kind()) {
      case Wire.GRANT -> grant(Math.max(0, f.number(Wire.CREDIT, 0)));
      case Wire.CANCEL -> {
        long code = f.number(Wire.CODE, Errno.CANCELLED.negative());
        stop(Errno.fromValue((int) -code).orElse(Errno.CANCELLED), false);
      }
      case Wire.REST -> rest(m, f.has(Wire.MORE));
      default -> {}
    }
  }

  private void rest(Message m, boolean more) {
    byte[] request;
    Caller who;
    int meth;
    synchronized (this) {
      if (joining == null) {
        return;
      }
      if (!joining.add(m.getData() == null ? NONE : m.getData())) {
        joining = null;
        request = null;
      } else if (more) {
        return;
      } else {
        request = joining.bytes();
        joining = null;
      }
      who = caller;
      meth = method;
    }
    if (request == null) {
      fail(
          Errno.MESSAGE_TOO_BIG.negative(),
          "a request larger than the caller may send".getBytes(StandardCharsets.UTF_8));
    } else {
      open(who, meth, request);
    }
  }

  private void grant(long n) {
    Runnable ready = null;
    synchronized (this) {
      if (gone) {
        return;
      }
      credit += n;
      drain();
      if (readyCallback != null && isReadyLocked()) {
        ready = readyCallback;
        readyCallback = null;
      }
    }
    if (ready != null) {
      Thread.ofVirtual().name("parigot-ready").start(ready);
    }
  }

  /**
   * The caller cancelled, is gone, or its deadline passed: the provider is told, nothing more is
   * sent but, with {@code tell} (a passed deadline), a FAIL of {@code reason} to the caller.
   */
  private void stop(Errno reason, boolean tell) {
    Provider.Cancellation c;
    Runnable ready;
    synchronized (this) {
      if (gone) {
        return;
      }
      gone = true;
      finished = true;
      stoppedFor = reason;
      joining = null;
      pending.clear();
      if (tell) {
        try {
          send(Wire.FAIL, reason.negative(), PASSED);
        } catch (IllegalStateException e) {
          // This node's connection is closed: the caller hears nothing, the provider still stops.
        }
      }
      c = cancellation;
      ready = readyCallback;
      readyCallback = null;
    }
    export.forget(id);
    c.cancel(reason);
    if (ready != null) {
      Thread.ofVirtual().name("parigot-ready").start(ready);
    }
  }

  @Override
  public boolean partial(byte[] data) {
    synchronized (this) {
      if (finished) {
        return false;
      }
      if (pending.isEmpty() && credit > 0) {
        credit -= data.length + Wire.RECORD_BYTES;
        send(Wire.PARTIAL, 0, data);
        return true;
      }
      if (pendingBytes + data.length + Wire.RECORD_BYTES <= bound) {
        pending.add(new Out(Wire.PARTIAL, 0, data));
        pendingBytes += data.length + Wire.RECORD_BYTES;
        return true;
      }
    }
    // Past the caller's bound, as a caller's queue overflows in one kernel.
    if (fail(
        Errno.WOULD_EXCEED_LIMIT.negative(),
        "too many unread partial results".getBytes(StandardCharsets.UTF_8))) {
      cancellationOf().cancel(Errno.WOULD_EXCEED_LIMIT);
    }
    return false;
  }

  private synchronized Provider.Cancellation cancellationOf() {
    return cancellation;
  }

  @Override
  public boolean isReady() {
    synchronized (this) {
      return isReadyLocked();
    }
  }

  private boolean isReadyLocked() {
    return finished || (credit > 0 && pending.isEmpty());
  }

  @Override
  public void onReady(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    synchronized (this) {
      if (readyCallback != null) {
        throw new IllegalStateException("an onReady callback of this call has not run yet");
      }
      if (!isReadyLocked()) {
        readyCallback = callback;
        return;
      }
    }
    callback.run();
  }

  @Override
  public boolean end(byte[] data) {
    return last(Wire.END, 0, data);
  }

  @Override
  public boolean fail(int code, byte[] message) {
    return last(Wire.FAIL, code, message);
  }

  private boolean last(String kind, int code, byte[] data) {
    Runnable ready;
    synchronized (this) {
      if (finished) {
        return false;
      }
      finished = true;
      if (pending.isEmpty()) {
        send(kind, code, data);
        gone = true;
      } else {
        pending.add(new Out(kind, code, data));
      }
      ready = readyCallback;
      readyCallback = null;
    }
    if (ready != null) {
      Thread.ofVirtual().name("parigot-ready").start(ready);
    }
    if (isDone()) {
      export.forget(id);
    }
    return true;
  }

  private synchronized boolean isDone() {
    return gone;
  }

  /** Sends what waits, as far as the credit goes; the final result needs none. Holds the lock. */
  private void drain() {
    while (!pending.isEmpty()) {
      Out next = pending.peek();
      boolean last = !next.kind().equals(Wire.PARTIAL);
      if (!last && credit <= 0) {
        return;
      }
      pending.poll();
      if (!last) {
        long cost = next.data().length + Wire.RECORD_BYTES;
        credit -= cost;
        pendingBytes -= cost;
      }
      send(next.kind(), next.code(), next.data());
      if (last) {
        gone = true;
        export.forget(id);
      }
    }
  }

  /** Sends one message, in chunks if it is larger than a message may be. Holds the lock. */
  private void send(String kind, int code, byte[] data) {
    byte[][] chunks = Wire.chunks(data, export.link.room());
    for (int i = 0; i < chunks.length; i++) {
      var h = new Fields.Writer(kind).add(Wire.SEQ, ++seq);
      if (seq == 1) {
        h.add(Wire.CONTROL, control);
      }
      if (kind.equals(Wire.FAIL)) {
        h.add(Wire.CODE, code);
      }
      if (i < chunks.length - 1) {
        h.flag(Wire.MORE);
      }
      export.publish(replyTo, h.headers(), chunks[i]);
    }
    lastSent = System.nanoTime();
  }

  /**
   * The heartbeat's check: a call whose caller's deadline passed is stopped, TIMED_OUT at both
   * ends; one that has sent nothing for an interval says it lives; one whose caller has been silent
   * for three (no credit, no keep-alive) is taken as abandoned.
   */
  void tick(long now, long interval) {
    if (deadlined && now - deadline >= 0) {
      stop(Errno.TIMED_OUT, true);
      return;
    }
    if (now - lastHeard > 3 * interval && now - opened > 3 * interval) {
      stop(Errno.CANCELLED, false);
      return;
    }
    if (now - lastSent >= interval) {
      synchronized (this) {
        if (!gone) {
          send(Wire.HEARTBEAT, 0, NONE);
        }
      }
    }
  }
}
