package dev.parigot.engine.spi;

/**
 * One process's instance of a {@link CompiledModule}. {@link #run} is called once, by the process's
 * thread; {@link #stop} by any thread at any time.
 */
public interface Guest {
  /**
   * Instantiates the module (running its start function, if it has one) and then runs {@code entry}
   * to its end, on the calling thread.
   *
   * <p>Never throws for what the guest does: a trap, a WASI {@code proc_exit} or a stop are
   * returned as an {@link Ending}. The one exception is an {@link Unwind} thrown by the {@link
   * AbiHost}, which is rethrown as it is, unwrapped.
   *
   * @param entry an exported function of type {@code () -> ()}, from {@link CompiledModule#entries}
   */
  Ending run(String entry);

  /**
   * The instance's linear memory: empty (size 0) before {@link #run} has made the instance, and for
   * a module without memory. The host reads and writes it only on the running thread.
   */
  GuestMemory memory();

  /**
   * Makes the guest stop soon: at its next call or loop back-edge once the running thread is
   * interrupted, a run then ends as {@link Ending.Stopped}. Any thread; before, during or after
   * {@link #run}; idempotent. The caller interrupts the running thread itself.
   */
  void stop();

  /**
   * Makes the guest call {@link AbiHost#preempted} at its next call or loop back-edge, once: so
   * that the host can let others run, or end a guest past a limit, while it computes without
   * entering the host. Any thread; at any time; a request before {@link #run} or after its end is
   * dropped, and a request while the guest is in a host function is taken at its next poll after
   * it.
   */
  void preempt();
}
