package dev.parigot.kernel;

import dev.parigot.abi.Errno;

/**
 * Serves one service name: the transport seam. The kernel never assumes a provider runs in this
 * JVM; a call is a request handed over plus a {@link Replies} to answer on, both asynchronous.
 */
public interface Provider {
  /**
   * Starts a call. Never blocks and never throws for a provider-side failure: failures are reported
   * through {@code replies}.
   *
   * @param caller who calls; a provider may scope or refuse by it
   * @param method the method number; its meaning is the service's
   * @param request the request bytes, owned by the provider from now on
   * @param replies where the results go, from any thread
   * @return how the caller cancels the call
   */
  Cancellation open(Caller caller, int method, byte[] request, Replies replies);

  /** Stops a call in progress at the provider. */
  @FunctionalInterface
  interface Cancellation {
    /**
     * Tells the provider the caller no longer wants the result. Idempotent; a no-op once the call
     * is finished.
     */
    void cancel(Errno reason);
  }
}
