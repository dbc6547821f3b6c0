package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Where compiled guest code asks whether its process must stop or give way: at every call and loop
 * back-edge (see {@code PreemptibleClasses}). Public only because the compiled classes live in
 * their own class loader; it is not for applications.
 *
 * <p>Asking costs nothing while no process is asked anything: the compiled code's poll is an {@code
 * invokedynamic} that {@link #pollSite} links to one {@link MutableCallSite} whose target then does
 * nothing, and the JIT compiles it away. Asking the thread's interrupt flag at every back-edge
 * instead, as the engine does by itself, is a volatile read that kept the JIT from optimising loops
 * (matmul ran 4x slower). While any process is asked to stop or to come to its host (a preemption),
 * the target checks the interrupt flag and the running guest's request; switching it makes the JVM
 * deoptimise running guest code at its next safepoint poll, so a spinning guest answers within
 * milliseconds. Switching back lets the JIT compile the cheap version again.
 */
public final class Preemption {
  private static final MethodHandle NOTHING =
      MethodHandles.empty(MethodType.methodType(void.class));
  private static final MethodHandle CHECK;
  private static final MutableCallSite SITE = new MutableCallSite(NOTHING);
  // What pollSite hands out: the switch stays here. The JIT still sees through it to the target.
  private static final CallSite POLL = new ConstantCallSite(SITE.dynamicInvoker());
  // The guest a thread runs, for the check to find its request.
  private static final ThreadLocal<ChicoryGuest> RUNNING = new ThreadLocal<>();

  /**
   * How long the switch stays on after the last request was answered. Switching deoptimises all
   * running guest code, and a preempted guest is often asked again a slice later: without a pause
   * before switching back, guests sharing the carriers would never run optimised code.
   */
  private static final long LINGER_MILLIS = 500;

  private static final Executor LATER =
      CompletableFuture.delayedExecutor(LINGER_MILLIS, TimeUnit.MILLISECONDS, Runnable::run);

  /** Guests with an unanswered request whose threads have not ended. */
  private static int asked;

  // Whether the switch is on, and how many times it has gone from asked to idle.
  private static boolean on;
  private static long idles;

  static {
    try {
      CHECK =
          MethodHandles.lookup()
              .findStatic(Preemption.class, "check", MethodType.methodType(void.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Preemption() {}

  /**
   * The bootstrap method of the compiled code's {@code invokedynamic} poll: links it to the one
   * switchable call site, through a constant one. Invoking it returns, throws {@link
   * ChicoryInterruptedException} if the calling thread was interrupted and its guest told to stop,
   * or lets the running guest's host take a preemption (which may throw the host's unwind).
   *
   * @throws IllegalArgumentException if {@code type} is not {@code ()void}
   */
  public static CallSite pollSite(MethodHandles.Lookup caller, String name, MethodType type) {
    if (!type.equals(POLL.type())) {
      throw new IllegalArgumentException("a poll takes and returns nothing, not " + type);
    }
    return POLL;
  }

  // Runs at every call and back-edge while the switch is on: no lock unless there is a request.
  private static void check() {
    ChicoryGuest guest = RUNNING.get();
    Requests r = guest == null ? null : guest.requests();
    if ((r == null || r.stop) && Thread.currentThread().isInterrupted()) {
      throw new ChicoryInterruptedException("Thread interrupted");
    }
    if (r != null && r.preempt && take(r)) {
      guest.preempted();
    }
  }

  /**
   * One guest's part in the switch. Guarded by the class lock, so that a request racing the guest's
   * end cannot count it twice or not at all.
   */
  static final class Requests {
    private volatile boolean stop;
    private volatile boolean preempt;
    private boolean ended;

    private boolean counted() {
      return (stop || preempt) && !ended;
    }
  }

  /** {@code guest} runs on the calling thread until {@link #ended}. */
  static void running(ChicoryGuest guest) {
    RUNNING.set(guest);
  }

  /** The guest is to be stopped: from now on polls check the interrupt flag. */
  static synchronized void stop(Requests r) {
    ask(r, true);
  }

  /** The guest is to come to its host at its next poll. */
  static synchronized void preempt(Requests r) {
    ask(r, false);
  }

  private static void ask(Requests r, boolean stop) {
    boolean before = r.counted();
    if (stop) {
      r.stop = true;
    } else {
      r.preempt = true;
    }
    if (!before && r.counted() && asked++ == 0 && !on) {
      on = true;
      switchTo(CHECK);
    }
  }

  /** Takes the guest's preemption request: whether there was one. A stop stays until the end. */
  static synchronized boolean take(Requests r) {
    if (!r.preempt) {
      return false;
    }
    r.preempt = false;
    if (!r.counted() && !r.ended && --asked == 0) {
      idle();
    }
    return true;
  }

  /** The guest's thread has ended; once no request is left, polls cost nothing again. */
  static synchronized void ended(Requests r) {
    RUNNING.remove();
    if (r.ended) {
      return;
    }
    boolean before = r.counted();
    r.ended = true;
    if (before && --asked == 0) {
      idle();
    }
  }

  /** No request is left: the switch goes off after a while unless one comes meanwhile. */
  private static void idle() {
    long idle = ++idles;
    LATER.execute(() -> switchOffAfter(idle));
  }

  private static synchronized void switchOffAfter(long idle) {
    if (asked == 0 && idles == idle && on) {
      on = false;
      switchTo(NOTHING);
    }
  }

  /** Whether some guest has an unanswered request and its thread has not ended. */
  static synchronized boolean asking() {
    return asked > 0;
  }

  /** Whether polls check: while guests are asked, and for a while after. */
  static synchronized boolean checking() {
    return on;
  }

  private static void switchTo(MethodHandle target) {
    SITE.setTarget(target);
    MutableCallSite.syncAll(new MutableCallSite[] {SITE});
  }
}
