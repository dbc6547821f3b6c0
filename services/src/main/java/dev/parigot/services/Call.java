package dev.parigot.services;

import com.google.protobuf.Message;
import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Replies;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call to a service as its handler sees it: who calls, how to answer, and whether the caller
 * still wants the answer. Thread-safe: a handler may answer from any thread.
 *
 * <p>The first of {@link #end}, {@link #fail} and a cancellation finishes the call; answers after
 * that are dropped and return false. Cancellation runs the {@link #onCancel} hooks on a service
 * thread and interrupts the handler's thread, so a handler blocked waiting for work returns.
 */
final class Call {
  private final Caller caller;
  private final String method;
  private final Replies replies;
  private final ThreadFactory threads;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final List<Runnable> hooks = new ArrayList<>();
  // Guarded by hooks.
  private boolean cancelled;
  private volatile Thread handler;

  Call(Caller caller, String method, Replies replies, ThreadFactory threads) {
    this.caller = caller;
    this.method = method;
    this.replies = replies;
    this.threads = threads;
  }

  Caller caller() {
    return caller;
  }

  /** The service's full method name, e.g. {@code parigot.kv.v1.KV.Get}, for messages. */
  String method() {
    return method;
  }

  void handler(Thread thread) {
    handler = thread;
  }

  /** Sends a partial result; false once the call is finished (the caller is gone or overflowed). */
  boolean partial(Message message) {
    if (finished.get()) {
      return false;
    }
    if (replies.partial(message.toByteArray())) {
      return true;
    }
    // The kernel refused it: the caller cancelled or let its queue overflow. Either way the
    // call is over, and the cancellation it triggers arrives through cancel().
    finished.set(true);
    return false;
  }

  /** One step of a stream: see {@link #stream}. */
  @FunctionalInterface
  interface Step {
    /**
     * Sends the stream's next partial result, or ends or fails the call. Runs on a service thread
     * only while the caller is ready; it may block on its own input (a socket, a queue of changes),
     * never on the caller.
     *
     * @return whether the stream goes on: false once it ended the call or the call is over
     */
    boolean next() throws Exception;
  }

  /**
   * Streams at the caller's pace without waiting for it: runs {@code step} (first on this thread)
   * while the call is open and the caller {@link Replies#isReady is ready}; when it is not, the
   * stream goes on from the caller's {@link Replies#onReady} callback, on a new service thread, and
   * meanwhile no thread waits for it. What the step throws ends the call as a handler's throw does
   * ({@link Dispatcher}). The handler returns null after calling this.
   */
  void stream(Step step) {
    handler = Thread.currentThread();
    // After handler is set: either cancel() interrupts this thread or this sees the cancel.
    if (cancelled()) {
      return;
    }
    try {
      while (open()) {
        if (!replies.isReady()) {
          replies.onReady(() -> threads.newThread(() -> stream(step)).start());
          return;
        }
        if (!step.next()) {
          return;
        }
      }
    } catch (Throwable t) {
      Dispatcher.failed(this, t);
    }
  }

  /** Ends the call with {@code message}; false if it was already finished. */
  boolean end(Message message) {
    return finished.compareAndSet(false, true) && replies.end(message.toByteArray());
  }

  /** Ends the call with an application error; false if it was already finished. */
  boolean fail(Code code, String message) {
    return finished.compareAndSet(false, true)
        && replies.fail(code.getNumber(), message.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether the call is still open: not ended, failed or cancelled. */
  boolean open() {
    return !finished.get();
  }

  /** Whether the caller cancelled the call (or the kernel did for it: deadline, death). */
  boolean cancelled() {
    synchronized (hooks) {
      return cancelled;
    }
  }

  /**
   * Runs {@code hook} when the call is cancelled, on a service thread; at once (on one) if it
   * already was. Hooks do not run when the call ends normally.
   */
  void onCancel(Runnable hook) {
    synchronized (hooks) {
      if (!cancelled) {
        hooks.add(hook);
        return;
      }
    }
    threads.newThread(hook).start();
  }

  /** The kernel's cancellation: never blocks, as the kernel calls it from its own threads. */
  void cancel(Errno reason) {
    List<Runnable> run;
    synchronized (hooks) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      run = List.copyOf(hooks);
      hooks.clear();
    }
    finished.set(true);
    Thread h = handler;
    if (h != null) {
      h.interrupt();
    }
    if (!run.isEmpty()) {
      threads.newThread(() -> run.forEach(Runnable::run)).start();
    }
  }
}
