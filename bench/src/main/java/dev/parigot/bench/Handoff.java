package dev.parigot.bench;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under calls to one server process: 64-byte messages handed from caller virtual threads
 * to one server virtual thread and back, with the same mechanism as the kernel's inbox (a lock-free
 * queue, {@link LockSupport#unpark} of the waiter, a few yields and then {@link LockSupport#park}
 * while the queue is empty) and a copy of the message each way, as the kernel copies it between
 * memories. No kernel call can be faster than this, nor a kernel server answer more calls per
 * second; the distance to it is what the kernel adds.
 *
 * <p>The server is a virtual thread started here. Each calling thread uses its own {@link Caller}.
 */
public final class Handoff implements AutoCloseable {
  private final Mailbox<Request> toServer = new Mailbox<>();
  private final Thread server;

  private record Request(byte[] payload, Mailbox<byte[]> replyTo) {}

  public Handoff() {
    server =
        Thread.ofVirtual()
            .name("handoff-server")
            .start(() -> {
              try {
                while (true) {
                  Request r = toServer.take();
                  r.replyTo().put(r.payload().clone());
                }
              } catch (InterruptedException e) {
                // closed
              }
            });
  }

  /** A new calling end, for one thread at a time. */
  public Caller caller() {
    return new Caller();
  }

  @Override
  public void close() {
    server.interrupt();
  }

  /** One caller: its requests go to the shared server, its replies come back to it alone. */
  public final class Caller {
    private final Mailbox<byte[]> replies = new Mailbox<>();

    private Caller() {}

    /** Sends {@code request} to the server and returns its echo. */
    public byte[] roundTrip(byte[] request) throws InterruptedException {
      toServer.put(new Request(request.clone(), replies));
      return replies.take();
    }
  }

  /** One direction: any thread puts, one thread takes; waits as the kernel's inbox does. */
  private static final class Mailbox<T> {
    private static final int MAX_YIELDS = 32;

    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private volatile Thread waiter;
    private int yields = MAX_YIELDS;

    void put(T message) {
      queue.add(message);
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }

    T take() throws InterruptedException {
      for (int i = 0; queue.isEmpty(); i++) {
        if (i == yields) {
          yields = Math.max(1, yields / 2);
          break;
        }
        Thread.yield();
      }
      if (!queue.isEmpty()) {
        yields = MAX_YIELDS;
      }
      waiter = Thread.currentThread();
      try {
        T m;
        while ((m = queue.poll()) == null) {
          LockSupport.park(this);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        return m;
      } finally {
        waiter = null;
      }
    }
  }
}
