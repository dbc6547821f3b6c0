package dev.parigot.cluster;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The caller's side of one call to another node: sends the request, checks the sequence of what
 * comes back, passes it to the caller's {@link Replies}, and gives credit back as the caller reads.
 * Messages arrive on the link's dispatcher thread, one at a time.
 */
final class CallerCall implements Provider.Cancellation {
  private final NatsLink link;
  private final String subject;
  private final String cancelSubject;
  private final Replies replies;
  private final long window;
  private final long bound;
  private final String id;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicLong owed = new AtomicLong();
  private final AtomicBoolean awaitingRoom = new AtomicBoolean();
  private final long opened = System.nanoTime();
  private volatile long lastHeard = opened;
  private volatile long lastSent = opened;
  private volatile boolean heard;
  // Guarded by this: the control subject, once the provider named it, and what waits for it.
  private String control;
  private Errno cancelWhenKnown;
  private byte[][] rest;
  // Dispatcher thread only.
  private long expected = 1;
  private Joiner joining;

  CallerCall(
      NatsLink link,
      String subject,
      String cancelSubject,
      Replies replies,
      long window,
      long bound) {
    this.link = link;
    this.subject = subject;
    this.cancelSubject = cancelSubject;
    this.replies = replies;
    this.window = window;
    this.bound = bound;
    this.id = link.newCall(this);
  }

  /**
   * Sends the request; the first chunk only if it is cut, the rest once the provider accepts. The
   * caller is named by the program whose connection sends it (the provider checks the reply inbox
   * against it), and the deadline by what is left of it now.
   */
  void start(Caller caller, byte[] request, Optional<Duration> timeLeft) {
    byte[][] chunks = Wire.chunks(request, link.room());
    var h =
        new Fields.Writer(Wire.CALL)
            .add(Wire.CALLER, link.program + "/" + caller.pid())
            .add(Wire.CREDIT, window)
            .add(Wire.BOUND, bound);
    // Past a year the kernel sets no deadline; nor does the wire.
    if (timeLeft.isPresent() && timeLeft.get().compareTo(Wire.MAX_TIMEOUT) <= 0) {
      h.add(Wire.TIMEOUT, Wire.millisUp(timeLeft.get()));
    }
    if (chunks.length > 1) {
      h.add(Wire.CHUNKS, chunks.length);
      synchronized (this) {
        rest = java.util.Arrays.copyOfRange(chunks, 1, chunks.length);
      }
    }
    link.publish(subject, link.replySubject(id), h.headers(), chunks[0]);
  }

  /** Whether a refusal to publish to {@code refused} may be this call's: it has heard nothing. */
  boolean refused(String refused) {
    return !heard && subject.equals(refused);
  }

  /** A message from the provider, on the dispatcher thread. */
  void received(Message m) {
    if (finished.get()) {
      return;
    }
    if (m.isStatusMessage()) {
      if (m.getStatus().getCode() == 503) {
        fail(
            Errno.PROVIDER_DIED.negative(),
            utf8("no node serves " + subject + " now (NATS: no responders)"));
      }
      return;
    }
    lastHeard = System.nanoTime();
    heard = true;
    Fields f = Fields.of(m);
    long seq = f.number(Wire.SEQ, -1);
    if (seq != expected) {
      fail(
          Errno.PROVIDER_DIED.negative(),
          utf8("lost messages from the provider: got number " + seq + ", expected " + expected));
      return;
    }
    expected++;
    String ctl = f.text(Wire.CONTROL);
    if (ctl != null) {
      controlKnown(ctl);
    }
    String kind = f.kind();
    if (kind.equals(Wire.HEARTBEAT) || kind.equals(Wire.ACCEPT)) {
      return;
    }
    byte[] data = m.getData() == null ? new byte[0] : m.getData();
    boolean more = f.has(Wire.MORE);
    if (joining != null || more) {
      if (joining == null) {
        joining = new Joiner(bound);
      }
      if (!joining.add(data)) {
        fail(Errno.WOULD_EXCEED_LIMIT.negative(), utf8("a reply larger than the caller holds"));
        return;
      }
      if (more) {
        return;
      }
      data = joining.bytes();
      joining = null;
    }
    switch (kind) {
      case Wire.PARTIAL -> partial(data);
      case Wire.END -> {
        if (finish()) {
          replies.end(data);
        }
      }
      case Wire.FAIL -> {
        if (finish()) {
          replies.fail(code(f), data);
        }
      }
      default -> fail(Errno.PROVIDER_DIED.negative(), utf8("a message of unknown kind " + kind));
    }
  }

  private void partial(byte[] data) {
    if (!replies.partial(data)) {
      // The caller's bound overflowed (the channel told its cancellation) or the call ended.
      return;
    }
    owed.addAndGet(data.length + Wire.RECORD_BYTES);
    if (replies.isReady()) {
      if (owed.get() >= window / 4) {
        grant();
      }
    } else if (awaitingRoom.compareAndSet(false, true)) {
      replies.onReady(() -> {
        awaitingRoom.set(false);
        grant();
      });
    }
  }

  /** Gives back the credit the caller's reads made room for. */
  private void grant() {
    long n = owed.getAndSet(0);
    if (n > 0 && !finished.get()) {
      if (!sendControl(new Fields.Writer(Wire.GRANT).add(Wire.CREDIT, n), new byte[0])) {
        owed.addAndGet(n);
      }
    }
  }

  private void controlKnown(String ctl) {
    Errno cancel;
    byte[][] chunks;
    synchronized (this) {
      control = ctl;
      cancel = cancelWhenKnown;
      chunks = rest;
      rest = null;
    }
    if (cancel != null) {
      sendCancel(cancel);
      return;
    }
    if (chunks != null) {
      for (int i = 0; i < chunks.length; i++) {
        var h = new Fields.Writer(Wire.REST);
        if (i < chunks.length - 1) {
          h.flag(Wire.MORE);
        }
        sendControl(h, chunks[i]);
      }
    }
  }

  /** Sends to the control subject; false when it is not known yet. */
  private boolean sendControl(Fields.Writer h, byte[] body) {
    String ctl;
    synchronized (this) {
      ctl = control;
    }
    if (ctl == null) {
      return false;
    }
    lastSent = System.nanoTime();
    link.publish(ctl, null, h.headers(), body);
    return true;
  }

  /** The kernel gives up on the call (deadline, cancel, overflow, the caller's death). */
  @Override
  public void cancel(Errno reason) {
    if (finish()) {
      sendCancel(reason);
    }
  }

  private void sendCancel(Errno reason) {
    var h = new Fields.Writer(Wire.CANCEL).add(Wire.CODE, reason.negative());
    String ctl;
    synchronized (this) {
      ctl = control;
      if (ctl == null) {
        cancelWhenKnown = reason;
      }
    }
    if (ctl == null) {
      // No word from the provider yet: tell every node serving the name.
      h.add(Wire.INBOX, link.replySubject(id));
      link.publish(cancelSubject, null, h.headers(), new byte[0]);
      return;
    }
    sendControl(h, new byte[0]);
  }

  /** Fails the call at the caller and tells the provider to stop. */
  void fail(int code, byte[] message) {
    if (finish()) {
      replies.fail(code, message);
      sendCancel(Errno.CANCELLED);
    }
  }

  /**
   * The heartbeat's check, every quarter interval: a provider silent for two intervals is taken for
   * dead; a call open longer than one tells its provider that its caller lives.
   */
  void tick(long now, long interval) {
    if (finished.get()) {
      return;
    }
    if (now - lastHeard > 2 * interval) {
      fail(
          Errno.PROVIDER_DIED.negative(),
          utf8(
              "no word from the node serving "
                  + subject
                  + " for "
                  + (now - lastHeard) / 1_000_000
                  + " ms, two heartbeats"));
    } else if (now - lastSent >= interval && now - opened >= interval) {
      sendControl(new Fields.Writer(Wire.GRANT).add(Wire.CREDIT, 0), new byte[0]);
    }
  }

  private boolean finish() {
    if (finished.compareAndSet(false, true)) {
      link.forget(id);
      return true;
    }
    return false;
  }

  /**
   * A FAIL's code: a negative errno or a positive application code, as an int; PROVIDER_DIED's if
   * the provider sent none or more than an int.
   */
  private static int code(Fields f) {
    long code = f.number(Wire.CODE, Errno.PROVIDER_DIED.negative());
    return code == (int) code ? (int) code : Errno.PROVIDER_DIED.negative();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
