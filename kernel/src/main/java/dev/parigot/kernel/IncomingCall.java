package dev.parigot.kernel;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The serving end of one call routed to a local process. Its call id is bound when the server
 * reads the CALL event, on the server's own thread; until then the call is queued and can still
 * be cancelled without the server ever seeing it.
 */
final class IncomingCall implements Provider.Cancellation {
  private final Process server;
  private final Export export;
  private final int method;
  private final byte[] request;
  private final Replies replies;
  private final AtomicBoolean finished = new AtomicBoolean();
  // Server thread only: 0 until the CALL event is read.
  private int id;

  IncomingCall(Process server, Export export, int method, byte[] request, Replies replies) {
    this.server = server;
    this.export = export;
    this.method = method;
    this.request = request;
    this.replies = replies;
  }

  Event callEvent() {
    return new Event(EventKind.CALL.value(), method, request, this);
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
    return finished.get();
  }

  /** The caller no longer wants the result: the server is told with a CANCEL event. */
  @Override
  public void cancel(Errno reason) {
    if (finished.compareAndSet(false, true)) {
      server.stopServing(this);
      server.post(new Event(EventKind.CANCEL.value(), reason.negative(), new byte[0], this));
    }
  }

  /** A partial result from the server; false if the call was already finished. */
  boolean partial(byte[] data) {
    return !finished.get() && replies.partial(data);
  }

  /** The last result from the server; false if the call was already finished. */
  boolean end(byte[] data) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    server.stopServing(this);
    replies.end(data);
    return true;
  }

  /** An error from the server or about it; false if the call was already finished. */
  boolean fail(int code, byte[] message) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    server.stopServing(this);
    replies.fail(code, message);
    return true;
  }
}
