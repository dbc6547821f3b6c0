package dev.parigot.kernel.spi;

import dev.parigot.kernel.Caller;
import java.util.Optional;

/**
 * Sees every call the kernel routes: one made by a process, or from Java through {@link
 * dev.parigot.kernel.App#call}. Metrics and tracing hook in here, in modules of their own, so that
 * the kernel carries no telemetry library.
 *
 * <p>A call's trace context is a W3C {@code traceparent} value. The kernel hands each call the
 * context of what made it: for a process, the context of the call it last took from its queue (the
 * one its guest is handling when it makes a nested call); for a Java caller, {@link #TRACEPARENT}
 * if bound where it calls. While a provider's {@code open} runs, {@link #TRACEPARENT} holds the new
 * call's own context (when the observer gave one), so a Java provider can carry it on.
 *
 * <p>Methods are called on the threads that make and end calls, concurrently: an implementation is
 * thread-safe and quick, and must not throw.
 */
@FunctionalInterface
public interface CallObserver {
  /** The trace context of the code making a call, when it has one. */
  ScopedValue<String> TRACEPARENT = ScopedValue.newInstance();

  /** Sees nothing: the kernel's default, and what costs nothing on the call path. */
  CallObserver NONE = (caller, service, method, parent) -> Call.NONE;

  /**
   * A call starts.
   *
   * @param caller who makes it (pid 0 from Java)
   * @param service the name called
   * @param method its method number
   * @param parent the caller's trace context, a W3C {@code traceparent} value, if it has one; the
   *     kernel passes on what it got and does not check it
   * @return what to tell when the call ends
   */
  Call started(Caller caller, String service, int method, Optional<String> parent);

  /** One call, as seen by an observer. */
  interface Call {
    /** A call nobody watches. */
    Call NONE = code -> {};

    /**
     * The call ended, once, on whichever thread ended it.
     *
     * @param code 0 for success, a negative errno when the kernel ended it (the provider died, the
     *     deadline passed, the caller gave up), a positive application error code from the provider
     */
    void ended(int code);

    /**
     * This call's own trace context, which calls made while serving it carry as their parent; empty
     * when it is not traced.
     */
    default Optional<String> traceparent() {
      return Optional.empty();
    }
  }
}
