package dev.parigot.bench;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under a call between two processes: a 64-byte message handed from one virtual thread
 * to another and back, with the same mechanism as the kernel's inbox (a lock-free queue, {@link
 * LockSupport#unpark} of the waiter, {@link LockSupport#park} while the queue is empty) and a copy
 * of the message each way, as the kernel copies it between memories. No kernel call can be
 * faster than this; the distance to it is what the kernel adds.
 *
 * <p>The server is a virtual thread started here; {@link #roundTrip} must be called from one
 * thread at a time (a virtual one, to measure the floor).
 */
public final class Handoff implements AutoCloseable {
  private final Mailbox toServer = new Mailbox();
  private final Mailbox toCaller = new Mailbox();
  private final Thread server;

  public Handoff() {
    server =
        Thread.ofVirtual()
            .name("handoff-server")
            .start(
                () -> {
                  try {
                    while (true) {
                      toCaller.put(toServer.take().clone());
                    }
                  } catch (InterruptedException e) {
                    // closed
                  }
                });
  }

  /** Sends {@code request} to the server and returns its echo. */
  public byte[] roundTrip(byte[] request) throws InterruptedException {
    toServer.put(request.clone());
    return toCaller.take();
  }

  @Override
  public void close() {
    server.interrupt();
  }

  /** One direction: any thread puts, one thread takes. */
  private static final class Mailbox {
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private volatile Thread waiter;

    void put(byte[] message) {
      queue.add(message);
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }

    byte[] take() throws InterruptedException {
      waiter = Thread.currentThread();
      try {
        byte[] m;
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
