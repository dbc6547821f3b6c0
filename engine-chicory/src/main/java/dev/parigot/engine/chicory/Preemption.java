package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;

/**
 * Where compiled guest code asks whether its process must stop: at every call and loop back-edge
 * (see {@code PreemptibleClasses}). Public only because the compiled classes live in their own
 * class loader; it is not for applications.
 *
 * <p>Asking costs nothing while no process is being stopped: the compiled code's poll is an {@code
 * invokedynamic} that {@link #pollSite} links to one {@link MutableCallSite} whose target then does
 * nothing, and the JIT compiles it away. Asking the thread's interrupt flag at every back-edge
 * instead, as the engine does by itself, is a volatile read that kept the JIT from optimising loops
 * (matmul ran 4x slower). While any process is being stopped the target checks the interrupt flag;
 * switching it makes the JVM deoptimise running guest code at its next safepoint poll, so a
 * spinning guest is stopped within milliseconds. Switching back lets the JIT compile the cheap
 * version again.
 */
public final class Preemption {
  private static final MethodHandle NOTHING =
      MethodHandles.empty(MethodType.methodType(void.class));
  private static final MethodHandle CHECK_INTERRUPT;
  private static final MutableCallSite SITE = new MutableCallSite(NOTHING);
  // What pollSite hands out: the switch stays here. The JIT still sees through it to the target.
  private static final CallSite POLL = new ConstantCallSite(SITE.dynamicInvoker());

  /** Processes told to stop whose threads have not ended. */
  private static int stopping;

  static {
    try {
      CHECK_INTERRUPT =
          MethodHandles.lookup()
              .findStatic(Preemption.class, "checkInterrupt", MethodType.methodType(void.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Preemption() {}

  /**
   * The bootstrap method of the compiled code's {@code invokedynamic} poll: links it to the one
   * switchable call site, through a constant one. Invoking it returns, or throws {@link
   * ChicoryInterruptedException} if the calling thread was interrupted and some process is being
   * stopped.
   *
   * @throws IllegalArgumentException if {@code type} is not {@code ()void}
   */
  public static CallSite pollSite(MethodHandles.Lookup caller, String name, MethodType type) {
    if (!type.equals(POLL.type())) {
      throw new IllegalArgumentException("a poll takes and returns nothing, not " + type);
    }
    return POLL;
  }

  private static void checkInterrupt() {
    if (Thread.currentThread().isInterrupted()) {
      throw new ChicoryInterruptedException("Thread interrupted");
    }
  }

  /**
   * One process's part in the switch. Guarded by the class lock, so that a kill racing the
   * process's end cannot count it twice or not at all.
   */
  static final class Stop {
    private boolean asked;
    private boolean ended;
  }

  /** A process is to be stopped: from now on polls check the interrupt flag. Once per process. */
  static synchronized void ask(Stop stop) {
    if (!stop.asked && !stop.ended) {
      stop.asked = true;
      if (stopping++ == 0) {
        switchTo(CHECK_INTERRUPT);
      }
    }
  }

  /** A process's thread has ended; once no stopped process is left, polls cost nothing again. */
  static synchronized void ended(Stop stop) {
    if (stop.ended) {
      return;
    }
    stop.ended = true;
    if (stop.asked && --stopping == 0) {
      switchTo(NOTHING);
    }
  }

  /** Whether some process has been told to stop and its thread has not ended. */
  static synchronized boolean stopping() {
    return stopping > 0;
  }

  private static void switchTo(MethodHandle target) {
    SITE.setTarget(target);
    MutableCallSite.syncAll(new MutableCallSite[] {SITE});
  }
}
