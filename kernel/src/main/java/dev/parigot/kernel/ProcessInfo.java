package dev.parigot.kernel;

import java.util.Objects;

/**
 * One live process, as {@link Kernel#processes} saw it at one moment.
 *
 * @param pid unique within its kernel
 * @param app its manifest's app name
 * @param program its program's name in that manifest
 * @param name how the kernel's output names it: {@code main[2]}, or {@code main/work[3]} for a
 *     worker running entry {@code work}
 * @param worker whether a process of the program spawned it
 * @param callsInFlight calls routed to it and not finished
 * @param denials how many times it asked for a name its manifest does not grant
 * @param queuedBytes what waits in its event queue, unread: payloads plus a record each, as the
 *     queue bound counts them
 * @param state {@code starting}, {@code running} (on a carrier or ready for one), {@code waiting}
 *     (for events) or {@code ended}
 * @param memoryBytes what its linear memory and tables hold
 * @param cpuNanos the CPU time it used, up to the end of its last turn or scheduler check
 * @param callsServed calls routed to it that it finished, with a result or an error
 * @param errors those of {@code callsServed} that ended in an error
 * @param restarts how many times the kernel restarted this process's replica of its program before
 *     it started (restart policies, README "Supervision"); 0 for a first start and for workers
 */
public record ProcessInfo(
    long pid,
    String app,
    String program,
    String name,
    boolean worker,
    int callsInFlight,
    int denials,
    long queuedBytes,
    String state,
    long memoryBytes,
    long cpuNanos,
    long callsServed,
    long errors,
    int restarts) {
  public ProcessInfo {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(name, "name");
  }
}
