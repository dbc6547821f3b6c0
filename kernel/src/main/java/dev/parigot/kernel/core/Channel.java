package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.spi.CallObserver;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caller's end of one call. Providers answer through its {@link Replies} methods from any
 * thread; each answer becomes an event in the caller's inbox. The first of end, fail, timeout or
 * cancel finishes the channel and later answers are dropped.
 *
 * <p>The caller's account was charged for the channel's final event when the call was made, so that
 * END or ERROR can always be queued; a payload is charged when it comes. An END whose result the
 * caller's queue bound or account cannot take becomes {@code ERROR -WOULD_EXCEED_LIMIT} and the
 * provider is told to stop, as for a partial result; an ERROR whose message they cannot take
 * arrives without it. Either way the caller, which does not read, holds the cost, never the
 * provider or the kernel (docs/abi.md, "Queue bound").
 */
final class Channel implements Replies {
  private static final byte[] OVERFLOW =
      "too many unread partial results".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final byte[] NO_ROOM = new byte[0];

  private static final VarHandle READY;

  static {
    try {
      READY = MethodHandles.lookup().findVarHandle(Channel.class, "readyCallback", Runnable.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Process owner;
  private final int handle;
  private final AtomicBoolean finished = new AtomicBoolean();
  // The provider's onReady callback while it waits for room; run once, by whoever takes it.
  // A field and a VarHandle rather than an AtomicReference: no allocation per call.
  private volatile Runnable readyCallback;
  // Guarded by this: the provider side, and why the kernel ended the call before it was known.
  private Provider.Cancellation cancellation = reason -> {};
  private Errno cancelledFor;
  // Set before the provider is opened, read by the sweeper and by timeLeft.
  private volatile long deadlineNanos;
  // The wheel whose clock the deadline is in, when the call has one; written before deadlineNanos.
  private Deadlines deadlineClock;
  // Guarded by this: the wheel the deadline is filed in; null when it is not (yet).
  private Deadlines deadlines;
  private int deadlineSlot;
  // Owner thread only: set when the guest can no longer see events for this handle.
  private boolean released;
  // Told once when the call ends; set by the owner before the provider is opened.
  private CallObserver.Call observed = CallObserver.Call.NONE;

  Channel(Process owner, int handle) {
    this.owner = owner;
    this.handle = handle;
  }

  int handle() {
    return handle;
  }

  /**
   * Connects the provider side; called once, by the owner, right after the call is opened. The
   * provider may already have answered, and overflowed the owner's queue, by then: the cancellation
   * that overflow asked for is passed on now.
   */
  void observe(CallObserver.Call call) {
    this.observed = call;
  }

  void connect(Provider.Cancellation cancellation) {
    Errno reason;
    synchronized (this) {
      this.cancellation = cancellation;
      reason = cancelledFor;
    }
    if (reason != null) {
      cancellation.cancel(reason);
    }
  }

  /** Tells the provider to stop, now or, if it is not connected yet, when it is. */
  private void cancelProvider(Errno reason) {
    Provider.Cancellation c;
    synchronized (this) {
      cancelledFor = reason;
      c = cancellation;
    }
    c.cancel(reason);
  }

  /** Sets the deadline, {@code millis} from now; before the provider is opened, which may ask. */
  void deadline(Deadlines wheel, long millis) {
    deadlineClock = wheel;
    deadlineNanos = wheel.now() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Arms the deadline; after {@link #connect} so an expiry always reaches the provider. */
  void arm(Deadlines wheel, Deadlines.Armed armed) {
    wheel.arm(armed, this);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: what is left of the call's timeout (or the program's call_timeout_ms), on the kernel's
   * clock. Allocates only when asked.
   */
  @Override
  public Optional<Duration> timeLeft() {
    long deadline = deadlineNanos;
    Deadlines clock = deadlineClock;
    if (clock == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(Math.max(0, deadline - clock.now())));
  }

  /**
   * Called by the deadline sweeper, at {@code now}, for an armed call: files the deadline in the
   * wheel if the call is open and its deadline to come, expires the call if its deadline passed.
   */
  void file(Deadlines wheel, long now) {
    if (finished.get()) {
      return;
    }
    if (deadlineNanos - now <= 0) {
      expire();
      return;
    }
    synchronized (this) {
      // Checked again under the lock that stopDeadline takes after a call finishes: either this
      // sees the call finished, or stopDeadline sees it filed and takes it out.
      if (!finished.get()) {
        deadlines = wheel;
        deadlineSlot = wheel.file(this);
      }
    }
  }

  /** When the deadline passes, in the kernel clock's terms. */
  long deadlineNanos() {
    return deadlineNanos;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A caller that lets partial results pile up unread loses the call: it fails with
   * WOULD_EXCEED_LIMIT and the provider is told to stop.
   */
  @Override
  public boolean partial(byte[] data) {
    if (finished.get()) {
      return false;
    }
    if (owner.offer(new Event(EventKind.PARTIAL.value(), 0, data, this))) {
      return true;
    }
    if (fail(Errno.WOULD_EXCEED_LIMIT.negative(), OVERFLOW)) {
      cancelProvider(Errno.WOULD_EXCEED_LIMIT);
    }
    return false;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: the caller's queue is at most half full (8 x its max_message_bytes), the queue being
   * shared by all the process's calls.
   */
  @Override
  public boolean isReady() {
    return finished.get() || owner.readyForPartials();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here a later callback runs on a virtual thread of its own, started when the guest's reads
   * bring its queue down to half, or when the call finishes.
   */
  @Override
  public void onReady(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    if (!READY.compareAndSet(this, null, callback)) {
      throw new IllegalStateException("an onReady callback of this call has not run yet");
    }
    if (isReady()) {
      Runnable mine = (Runnable) READY.getAndSet(this, null);
      if (mine != null) {
        mine.run();
      }
      return;
    }
    owner.awaitReady(this::becameReady);
  }

  /** The caller has room, or the call finished: a pending callback runs, off the guest's thread. */
  private void becameReady() {
    // A plain volatile read first: a call whose provider never asked pays nothing more.
    if (readyCallback == null) {
      return;
    }
    Runnable callback = (Runnable) READY.getAndSet(this, null);
    if (callback != null) {
      Threads.callback(callback).start();
    }
  }

  @Override
  public boolean end(byte[] data) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    finish();
    if (owner.offerFinal(new Event(EventKind.END.value(), 0, data, this))) {
      observed.ended(0);
      return true;
    }
    observed.ended(Errno.WOULD_EXCEED_LIMIT.negative());
    owner.post(
        new Event(EventKind.ERROR.value(), Errno.WOULD_EXCEED_LIMIT.negative(), NO_ROOM, this));
    cancelProvider(Errno.WOULD_EXCEED_LIMIT);
    return false;
  }

  @Override
  public boolean fail(int code, byte[] message) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    finish();
    observed.ended(code);
    if (!owner.offerFinal(new Event(EventKind.ERROR.value(), code, message, this))) {
      owner.post(new Event(EventKind.ERROR.value(), code, NO_ROOM, this));
    }
    return true;
  }

  /** The deadline passed: the caller hears TIMED_OUT, the provider is told to stop. */
  void expire() {
    if (fail(Errno.TIMED_OUT.negative(), new byte[0])) {
      cancelProvider(Errno.TIMED_OUT);
    }
  }

  /** The owner gives up on the call (cancel syscall or its own death). Owner thread only. */
  void abandon(Errno reason) {
    released = true;
    if (finished.compareAndSet(false, true)) {
      finish();
      observed.ended(reason.negative());
      cancelProvider(reason);
      // No final event will come: its charge goes back.
      owner.releaseEvent();
    }
  }

  /** Owner thread only. */
  boolean released() {
    return released;
  }

  /** Owner thread only: the guest has read the final event. */
  void release() {
    released = true;
  }

  /** The call finished: no room will be waited for any more. */
  private void finish() {
    stopDeadline();
    becameReady();
  }

  private void stopDeadline() {
    Deadlines d;
    int slot;
    synchronized (this) {
      d = deadlines;
      slot = deadlineSlot;
      deadlines = null;
    }
    if (d != null) {
      d.disarm(this, slot);
    }
  }
}
