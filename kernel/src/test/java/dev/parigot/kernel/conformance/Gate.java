package dev.parigot.kernel.conformance;

import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A Java service that holds its callers inside the kernel: a call to it blocks in {@code open}
 * until the test lets one caller through (in the order they arrived), then ends with an empty END.
 * A guest stops at the gate without reading its events (script command {@code g}), so the test
 * decides when it goes on. A caller killed at the gate goes on at once and dies at its next kernel
 * entry.
 */
final class Gate implements Provider {
  static final String NAME = "parigot.test.v1.Gate";

  private final Semaphore arrived = new Semaphore(0);
  private final Semaphore passes = new Semaphore(0, true);

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    arrived.release();
    try {
      passes.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    replies.end(new byte[0]);
    return reason -> {};
  }

  /** Waits until {@code n} more callers stand at the gate, failing after 30 s. */
  void awaitArrivals(int n) throws InterruptedException {
    if (!arrived.tryAcquire(n, 30, TimeUnit.SECONDS)) {
      throw new AssertionError(n + " callers did not reach the gate within 30 s");
    }
  }

  /** Lets {@code n} callers through, now or when they arrive. */
  void pass(int n) {
    passes.release(n);
  }
}
