package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Role;
import dev.parigot.kernel.Supervision;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps one app's service programs running: starts a replica again when its process ends, as the
 * program's {@link Supervision} says, with backoff and an intensity limit past which the app fails;
 * and replaces a program's processes with new ones (of a new module, or the same one) without
 * losing calls. Workers are not supervised: they end with their parent, and a restarted parent
 * spawns its own.
 */
final class Supervisor {
  private static final System.Logger LOG = System.getLogger("dev.parigot.kernel");

  private final KernelImpl kernel;
  private final AppImpl app;
  private final Manifest manifest;
  private final Map<String, Supervision> policies;
  private final Map<String, Program> programs = new ConcurrentHashMap<>();
  // Guarded by this: made at the first restart; most apps never need it.
  private ScheduledExecutorService timer;
  private volatile boolean stopped;

  Supervisor(KernelImpl kernel, AppImpl app, Manifest manifest) {
    this.kernel = kernel;
    this.app = app;
    this.manifest = manifest;
    this.policies = manifest.section(Supervision.KEY).orElse(Map.of());
  }

  /** One service program: what its processes run, and one slot per replica. */
  private static final class Program {
    final Supervision policy;
    final MemoryLedger.Account account;
    final List<LocalService> services;
    final List<Slot> slots = new ArrayList<>();
    // Guarded by this.
    ProgramSpec spec;
    CompiledModule module;
    final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
    boolean replacing;

    Program(
        ProgramSpec spec,
        CompiledModule module,
        MemoryLedger.Account account,
        Supervision policy,
        List<LocalService> services) {
      this.spec = spec;
      this.module = module;
      this.account = account;
      this.policy = policy;
      this.services = services;
    }

    boolean noneLive() {
      return slots.stream().allMatch(s -> s.current == null);
    }
  }

  /** One replica: its process now, if any, and how often it was restarted. Guarded by Program. */
  private static final class Slot {
    Process current;
    int restarts;
  }

  /** Supervises the replicas of {@code spec} that launch started; mains and tests are not. */
  void adopt(
      ProgramSpec spec,
      CompiledModule module,
      MemoryLedger.Account account,
      List<Process> replicas) {
    if (spec.role() != Role.SERVICE) {
      return;
    }
    Supervision policy = policies.getOrDefault(spec.name(), Supervision.DEFAULT);
    List<LocalService> services =
        spec.exports().stream().map(kernel::service).flatMap(Optional::stream).toList();
    var program = new Program(spec, module, account, policy, services);
    if (policy.restart() != Supervision.Restart.NEVER) {
      supervise(program);
    }
    programs.put(spec.name(), program);
    synchronized (program) {
      for (Process p : replicas) {
        var slot = new Slot();
        program.slots.add(slot);
        watch(program, slot, p);
      }
    }
  }

  /** Calls wait while the program restarts, as many bytes as a replica's queue would hold. */
  private static void supervise(Program program) {
    long bound = Process.QUEUE_FACTOR * program.spec.limits().maxMessageBytes();
    program.services.forEach(s -> s.supervise(bound));
  }

  /** Makes {@code p} the slot's process. Called with the program's lock. */
  private void watch(Program program, Slot slot, Process p) {
    slot.current = p;
    p.exit().thenAccept(exit -> ended(program, slot, p, exit));
  }

  private void ended(Program program, Slot slot, Process p, Exit exit) {
    synchronized (program) {
      if (slot.current != p) {
        return; // replaced: its successor is watched
      }
      slot.current = null;
    }
    onEnd(program, slot, p.toString(), exit);
  }

  /** The slot's process ended, or could not be started: restart it, or fail the app, or not. */
  private void onEnd(Program program, Slot slot, String what, Exit exit) {
    Supervision policy = program.policy;
    String failure;
    Duration delay;
    synchronized (program) {
      if (stopped || kernel.stopping()) {
        return;
      }
      boolean failed = exit.wasKilled() || exit.code() != 0;
      if (!policy.restart().restarts(failed)) {
        if (program.noneLive() && !program.replacing) {
          program.services.forEach(s ->
              s.unsupervise(
                  Errno.PROVIDER_DIED, "no process of program '" + program.spec.name() + "' runs"));
        }
        return;
      }
      long now = kernel.clock().nanoTime();
      long window = policy.window().toNanos();
      while (!program.restartTimes.isEmpty() && now - program.restartTimes.peekFirst() >= window) {
        program.restartTimes.pollFirst();
      }
      int recent = program.restartTimes.size();
      if (recent >= policy.maxRestarts()) {
        failure =
            "program '"
                + program.spec.name()
                + "' of app '"
                + app.name()
                + "' was restarted "
                + recent
                + " times within "
                + policy.window().toMillis()
                + " ms (max_restarts, restart_window_ms) and ended again ("
                + what
                + " "
                + exit
                + "); the app fails";
        delay = Duration.ZERO;
      } else {
        failure = null;
        program.restartTimes.addLast(now);
        slot.restarts++;
        delay = backoff(policy, recent);
        LOG.log(
            Level.INFO,
            "{0} {1}; restarting it in {2} ms (restart = \"{3}\")",
            what,
            exit,
            delay.toMillis(),
            policy.restart().toml());
      }
    }
    if (failure != null) {
      LOG.log(Level.ERROR, failure);
      app.fail(failure);
      return;
    }
    schedule(() -> restart(program, slot), delay);
  }

  /**
   * The wait before a restart that follows {@code recent} restarts within the window: the n-th
   * waits {@code delay * 2^(n-1)}, at most {@code maxDelay}.
   */
  static Duration backoff(Supervision policy, int recent) {
    long max = policy.maxDelay().toNanos();
    long nanos = policy.delay().toNanos();
    for (int i = 0; i < recent && nanos < max; i++) {
      nanos = Math.min(max, nanos * 2);
    }
    return Duration.ofNanos(nanos);
  }

  private synchronized void schedule(Runnable task, Duration delay) {
    if (stopped) {
      return;
    }
    if (timer == null) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> Threads.daemon("parigot-supervisor-" + app.name(), r));
    }
    timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void restart(Program program, Slot slot) {
    Exit refused;
    synchronized (program) {
      if (stopped || kernel.stopping() || slot.current != null) {
        return;
      }
      if (program.account.startProcess(MemoryLedger.PROCESS_BYTES)) {
        int n = slot.restarts;
        watch(
            program,
            slot,
            kernel.startProgram(
                app.name(),
                program.spec,
                program.module,
                program.account,
                KernelImpl.wasi(manifest, program.spec),
                p -> p.restarts(n)));
        return;
      }
      refused = Exit.killed("cannot start again: no room in " + program.account.processRefusal());
    }
    onEnd(program, slot, "program '" + program.spec.name() + "'", refused);
  }

  /** Whether a process of {@code program} that ends is started again: its policy is not never. */
  boolean restarts(ProgramSpec program) {
    return program.role() == Role.SERVICE
        && policies.getOrDefault(program.name(), Supervision.DEFAULT).restart()
            != Supervision.Restart.NEVER;
  }

  /** Stops restarting: the app failed or the kernel closes. Idempotent. */
  void stop(Errno reason, String message) {
    synchronized (this) {
      stopped = true;
      if (timer != null) {
        timer.shutdownNow();
      }
    }
    programs.values().forEach(p -> p.services.forEach(s -> s.unsupervise(reason, message)));
  }

  /**
   * Replaces every process of service program {@code name} with a new one, of the module at {@code
   * wasm} if given, else of the one it runs: loads and checks the module, starts the new processes
   * while the old ones serve, and once each new one serves all the program's exports routes new
   * calls to them; the old ones finish their calls in flight, for at most the program's {@code
   * drain_timeout_ms}, and are killed. Returns once they have ended.
   *
   * @throws IllegalArgumentException if the app has no service program {@code name}
   * @throws IllegalStateException if the program is being replaced already, or the app failed
   * @throws dev.parigot.errors.ModuleRefusedException if the module is refused; the old processes
   *     go on serving
   * @throws ParigotException if a new process cannot start, ends or does not serve the program's
   *     exports in time; the old processes go on serving
   */
  void replace(String name, Optional<Path> wasm) throws InterruptedException {
    Program program = program(name);
    ProgramSpec spec;
    CompiledModule module;
    synchronized (program) {
      if (stopped) {
        throw new IllegalStateException(
            "app '" + app.name() + "' no longer runs; program '" + name + "' cannot be replaced");
      }
      if (program.replacing) {
        throw new IllegalStateException("program '" + name + "' is being replaced already");
      }
      program.replacing = true;
      spec = program.spec;
      module = program.module;
    }
    try {
      ProgramSpec next = wasm.map(w -> withWasm(spec, w)).orElse(spec);
      CompiledModule nextModule = wasm.isPresent() ? kernel.load(next) : module;
      List<Process> fresh = startStandby(program, next, nextModule);
      List<Process> old = new ArrayList<>();
      synchronized (program) {
        program.spec = next;
        program.module = nextModule;
        for (int i = 0; i < program.slots.size(); i++) {
          Slot slot = program.slots.get(i);
          if (slot.current != null) {
            old.add(slot.current);
          }
          Process p = fresh.get(i);
          program.services.forEach(s -> s.activate(p));
          watch(program, slot, p);
        }
        if (program.policy.restart() != Supervision.Restart.NEVER) {
          // The program runs again, though its policy may have given up on it before.
          supervise(program);
        }
      }
      LOG.log(
          Level.INFO, "program ''{0}'': {1} now serve; {2} finish their calls", name, fresh, old);
      drain(program, old, wasm.isPresent() ? "an upgrade" : "a restart");
    } finally {
      synchronized (program) {
        program.replacing = false;
      }
    }
  }

  private Program program(String name) {
    Program program = programs.get(name);
    if (program != null) {
      return program;
    }
    Optional<ProgramSpec> spec =
        manifest.programs().stream().filter(p -> p.name().equals(name)).findFirst();
    if (spec.isEmpty()) {
      throw new IllegalArgumentException("app '" + app.name() + "' has no program '" + name + "'");
    }
    throw new IllegalArgumentException(
        "program '"
            + name
            + "' of app '"
            + app.name()
            + "' is a "
            + spec.get().role().toml()
            + " program"
            + (spec.get().role() == Role.SERVICE ? " that this run did not start" : "")
            + "; only running service programs are restarted or upgraded");
  }

  private static ProgramSpec withWasm(ProgramSpec p, Path wasm) {
    return new ProgramSpec(
        p.name(),
        wasm,
        p.role(),
        p.exports(),
        p.requires(),
        p.imports(),
        p.args(),
        p.env(),
        p.replicas(),
        p.limits());
  }

  /** Starts a replica per slot whose exports wait, held, until all of them serve. */
  private List<Process> startStandby(Program program, ProgramSpec spec, CompiledModule module)
      throws InterruptedException {
    List<Process> fresh = new ArrayList<>();
    try {
      for (int i = 0; i < program.slots.size(); i++) {
        if (!program.account.startProcess(MemoryLedger.PROCESS_BYTES)) {
          throw new ParigotException(
              "program '"
                  + spec.name()
                  + "': cannot start a new process beside the old ones: no room in "
                  + program.account.processRefusal());
        }
        fresh.add(
            kernel.startProgram(
                app.name(),
                spec,
                module,
                program.account,
                KernelImpl.wasi(manifest, spec),
                p -> program.services.forEach(s -> s.hold(p))));
      }
      Duration timeout = kernel.startTimeout();
      var all =
          CompletableFuture.allOf(
              fresh.stream().map(Process::ready).toArray(CompletableFuture[]::new));
      try {
        all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new ParigotException(
            "program '"
                + spec.name()
                + "': the new process did not serve all of "
                + spec.exports()
                + " within "
                + timeout.toMillis()
                + " ms; the old version serves on");
      } catch (ExecutionException e) {
        throw new IllegalStateException("start-up waits never fail", e);
      }
      for (Process p : fresh) {
        if (p.state() == Process.State.ENDED) {
          throw new ParigotException(
              "program '"
                  + spec.name()
                  + "': the new process "
                  + p
                  + (p.ready().join()
                      ? " ended once it served all of "
                      : " ended before it served all of ")
                  + spec.exports()
                  + " ("
                  + p.exit().getNow(Exit.normal(0))
                  + "); the old version serves on");
        }
      }
      return fresh;
    } catch (RuntimeException | InterruptedException e) {
      for (Process p : fresh) {
        program.services.forEach(s -> s.remove(p));
        p.kill("refused: the old version of program '" + spec.name() + "' serves on");
      }
      throw e;
    }
  }

  /** Lets {@code old} finish their calls, within the drain timeout, then ends them. */
  private void drain(Program program, List<Process> old, String why) throws InterruptedException {
    // Out of the routes first, then retired: a call that picked one meanwhile goes elsewhere.
    old.forEach(p -> program.services.forEach(s -> s.remove(p)));
    var drained =
        CompletableFuture.allOf(
            old.stream().map(Process::retire).toArray(CompletableFuture[]::new));
    try {
      drained.get(program.policy.drainTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      LOG.log(
          Level.WARNING,
          "program ''{0}'': calls still in flight after drain_timeout_ms = {1} are lost",
          program.spec.name(),
          program.policy.drainTimeout().toMillis());
    } catch (ExecutionException e) {
      throw new IllegalStateException("drains never fail", e);
    }
    String reason = "replaced by " + why + " of program '" + program.spec.name() + "'";
    old.forEach(p -> p.kill(reason));
    for (Process p : old) {
      try {
        p.exit().get(kernel.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        LOG.log(Level.WARNING, "{0}: still running after it was replaced", p);
      } catch (ExecutionException e) {
        throw new IllegalStateException("exits never fail", e);
      }
    }
  }
}
