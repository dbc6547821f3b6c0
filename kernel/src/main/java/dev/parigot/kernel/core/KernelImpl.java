package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Engine;
import dev.parigot.errors.DeniedException;
import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.errors.ParigotException;
import dev.parigot.errors.StartFailedException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Limits;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Role;
import dev.parigot.kernel.ServiceRegistry;
import dev.parigot.kernel.WasiSection;
import dev.parigot.kernel.spi.CallObserver;
import dev.parigot.kernel.spi.Clock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The kernel: a registry of services, the processes that serve and use them, and their guards.
 * Modules come from an {@link Engine}, their bytes from a {@link ModuleSource}, time from a {@link
 * Clock}: this class does no IO of its own.
 */
public final class KernelImpl implements Kernel {
  private static final System.Logger LOG = System.getLogger("dev.parigot.kernel");

  /** How many of a process's denied calls are logged one by one. */
  static final int DENIALS_LOGGED = 5;

  private static final String START = "_start";
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final Output output;
  private final Duration startTimeout;
  private final Engine engine;
  private final ModuleSource source;
  private final Clock clock;
  // Every name this kernel can route; processes' exports are LocalServices.
  private final Registry registry = new Registry();
  private final Map<Long, Process> processes = new ConcurrentHashMap<>();
  private final List<AppImpl> apps = new ArrayList<>();
  private final AtomicLong pids = new AtomicLong();
  private final Deadlines deadlines;
  private final Scheduler scheduler;
  private final MemoryLedger ledger;
  private final CallObserver observer;
  private volatile boolean stopping;

  /**
   * A kernel whose threads run from now until {@link #close}.
   *
   * @param services the providers served from the start, by name
   * @param cpuWatchdog whether processes are preempted and CPU time limits enforced
   * @param memoryBudget the bytes of heap guests may cause the kernel to hold, in all
   * @param observer what sees every call routed
   */
  public KernelImpl(
      Output output,
      Duration startTimeout,
      Map<String, Provider> services,
      boolean cpuWatchdog,
      Engine engine,
      ModuleSource source,
      Clock clock,
      long memoryBudget,
      CallObserver observer) {
    this.output = output;
    this.observer = observer;
    this.ledger = new MemoryLedger(memoryBudget);
    this.engine = engine;
    this.source = source;
    this.clock = clock;
    this.deadlines = new Deadlines(clock);
    this.scheduler = new Scheduler(processes.values(), clock, cpuWatchdog);
    LOG.log(Level.DEBUG, "wasm engine: {0}", engine.name());
    this.startTimeout = startTimeout;
    services.forEach(registry::register);
    deadlines.start();
    scheduler.start();
  }

  /** The time the kernel measures deadlines and slices in. */
  Clock clock() {
    return clock;
  }

  /** What sees every call routed. */
  CallObserver observer() {
    return observer;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /** Where guests' memory, tables, events and processes are admitted. */
  MemoryLedger ledger() {
    return ledger;
  }

  @Override
  public App launch(Manifest manifest) {
    return launch(
        manifest, manifest.startOrder().stream().filter(p -> p.role() != Role.TEST).toList());
  }

  @Override
  public App launchTests(Manifest manifest) {
    // The tests and, transitively, the exporters of what they require.
    var needed = new HashSet<ProgramSpec>();
    var todo = new ArrayDeque<ProgramSpec>();
    manifest.programs().stream().filter(p -> p.role() == Role.TEST).forEach(todo::add);
    if (todo.isEmpty()) {
      throw new ParigotException(manifest.file() + ": no program has role = \"test\"");
    }
    while (!todo.isEmpty()) {
      ProgramSpec p = todo.pop();
      if (needed.add(p)) {
        p.requires().forEach(name -> manifest.exporterOf(name).ifPresent(todo::add));
      }
    }
    return launch(manifest, manifest.startOrder().stream().filter(needed::contains).toList());
  }

  /** Starts {@code programs}, in the given order; mains and tests are the app's mains. */
  private App launch(Manifest manifest, List<ProgramSpec> programs) {
    if (stopping) {
      throw new ParigotException("the kernel is closed");
    }
    Map<ProgramSpec, CompiledModule> modules = new LinkedHashMap<>();
    for (ProgramSpec program : programs) {
      modules.put(program, load(program));
    }
    requireKernelServices(modules.keySet());
    List<ServiceRegistry.Registration> exports = register(modules.keySet());
    var app =
        new AppImpl(
            manifest.app(),
            modules.keySet().stream()
                .flatMap(
                    p -> p.exports().stream().map(e -> Map.entry(e, p.limits().maxMessageBytes())))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
            this);
    var supervisor = new Supervisor(this, app, manifest);
    app.supervise(supervisor);
    synchronized (apps) {
      apps.add(app);
    }
    MemoryLedger.Account appAccount =
        account(ledger.kernel(), "app '" + manifest.app() + "'", manifest.limits());
    List<Process> started = new ArrayList<>();
    try {
      modules.forEach((program, module) -> {
        app.failure()
            .ifPresent(failure -> {
              throw new ParigotException(failure);
            });
        awaitImports(program);
        MemoryLedger.Account account =
            account(
                appAccount,
                "program '" + program.name() + "' of app '" + manifest.app() + "'",
                program.limits());
        List<Process> replicas = new ArrayList<>();
        for (int i = 0; i < program.replicas(); i++) {
          if (!account.startProcess(MemoryLedger.PROCESS_BYTES)) {
            throw new ParigotException(
                "program '"
                    + program.name()
                    + "' of app '"
                    + manifest.app()
                    + "' cannot start: no room in "
                    + account.processRefusal());
          }
          Process p =
              start(
                  manifest.app(),
                  program,
                  module,
                  START,
                  Optional.empty(),
                  account,
                  wasi(manifest, program));
          replicas.add(p);
          started.add(p);
          if (program.role() != Role.SERVICE) {
            app.addMain(p);
          }
        }
        supervisor.adopt(program, module, account, replicas);
        awaitReady(program, replicas, supervisor.restarts(program));
      });
    } catch (ParigotException e) {
      supervisor.stop(Errno.PROVIDER_DIED, "app '" + manifest.app() + "' did not start");
      exports.forEach(ServiceRegistry.Registration::close);
      started.forEach(p -> p.kill("app '" + manifest.app() + "' did not start"));
      synchronized (apps) {
        apps.remove(app);
      }
      throw e;
    }
    app.sealMains();
    return app;
  }

  /** An account with the caps {@code limits} give an app or a program. */
  private static MemoryLedger.Account account(
      MemoryLedger.Account parent, String name, Limits limits) {
    long cap = limits.budgetMib() == 0 ? MemoryLedger.UNLIMITED : (long) limits.budgetMib() << 20;
    return parent.child(name, cap, limits.maxProcesses());
  }

  @Override
  public void verify(Manifest manifest) {
    verify(manifest, program -> true);
  }

  @Override
  public void verify(Manifest manifest, Predicate<ProgramSpec> which) {
    List<ProgramSpec> programs = manifest.programs().stream().filter(which).toList();
    programs.forEach(this::load);
    requireKernelServices(programs);
  }

  CompiledModule load(ProgramSpec program) {
    CompiledModule module = engine.compile(program.wasm().toString(), source.read(program));
    if (!module.entries().contains(START)) {
      throw new ModuleRefusedException(
          program.wasm()
              + ": exports no "
              + START
              + " function of type () -> (); program '"
              + program.name()
              + "' must be built as a WASI command");
    }
    if (module.initialPages() > program.limits().memoryPages()) {
      throw new ModuleRefusedException(
          program.wasm()
              + ": needs "
              + module.initialPages()
              + " memory pages at start but program '"
              + program.name()
              + "' may have "
              + program.limits().memoryPages()
              + " (memory_mib)");
    }
    return module;
  }

  /** Names under {@code parigot.} have no exporting program: this kernel must serve them. */
  private void requireKernelServices(Collection<ProgramSpec> programs) {
    for (ProgramSpec program : programs) {
      for (String name : program.requires()) {
        if (name.startsWith(Manifest.KERNEL_PREFIX) && registry.lookup(name).isEmpty()) {
          throw new DeniedException(
              "program '"
                  + program.name()
                  + "' requires "
                  + name
                  + ", which this kernel does not serve");
        }
      }
    }
  }

  /** Serves every export of {@code programs}, or none if one is served already. */
  private synchronized List<ServiceRegistry.Registration> register(
      Collection<ProgramSpec> programs) {
    List<ServiceRegistry.Registration> done = new ArrayList<>();
    for (ProgramSpec program : programs) {
      for (String name : program.exports()) {
        try {
          done.add(registry.register(name, new LocalService(name)));
        } catch (DeniedException e) {
          done.forEach(ServiceRegistry.Registration::close);
          throw new DeniedException(
              "program '" + program.name() + "' exports " + name + ", already served here");
        }
      }
    }
    return done;
  }

  /**
   * Waits until every name {@code program} imports is served, each within the start timeout.
   *
   * @throws DeniedException naming the first import that was not served in time
   */
  private void awaitImports(ProgramSpec program) {
    for (String name : program.imports()) {
      CompletableFuture<Void> served = registry.served(name);
      try {
        if (!completesInTime(served, program)) {
          throw new DeniedException(
              "program '"
                  + program.name()
                  + "' imports "
                  + name
                  + ", which nothing served within "
                  + startTimeout.toMillis()
                  + " ms");
        }
      } finally {
        served.cancel(false);
      }
    }
  }

  /**
   * Waits until {@code replicas} serve their exports or the start timeout passes.
   *
   * @param restarted whether a replica that ends is started again by its restart policy; if not, a
   *     replica that ended while starting stops the launch
   * @throws StartFailedException if a replica ended while starting and is not restarted
   */
  private void awaitReady(ProgramSpec program, List<Process> replicas, boolean restarted) {
    var all =
        CompletableFuture.allOf(
            replicas.stream().map(Process::ready).toArray(CompletableFuture[]::new));
    boolean inTime = completesInTime(all, program);
    // Ready also completes when a process ends: its dependents must not start on nothing. One that
    // served its exports and then ended at once did start.
    for (Process p : replicas) {
      if (!restarted && !program.exports().isEmpty() && !p.ready().getNow(true)) {
        throw new StartFailedException(
            "program '" + program.name() + "' ended while starting: " + p.exit().join());
      }
    }
    if (!inTime) {
      LOG.log(
          Level.WARNING,
          "program ''{0}'' did not serve all of {1} within {2} ms;"
              + " starting the programs after it anyway",
          program.name(),
          program.exports(),
          startTimeout.toMillis());
    }
  }

  /**
   * Waits up to the start timeout for {@code start}, a future that never fails, while starting
   * {@code program}; whether it completed.
   */
  private boolean completesInTime(CompletableFuture<Void> start, ProgramSpec program) {
    try {
      start.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParigotException("interrupted while starting " + program.name(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("start-up waits never fail", e);
    }
  }

  /** The directories and streams the manifest grants {@code program}; none by default. */
  static WasiSection.Spec wasi(Manifest manifest, ProgramSpec program) {
    return manifest
        .section(WasiSection.KEY)
        .map(w -> w.get(program.name()))
        .orElse(WasiSection.Spec.DEFAULT);
  }

  /** How long a program may take to serve its exports once started. */
  Duration startTimeout() {
    return startTimeout;
  }

  /**
   * Starts a process of {@code program}, admitted to {@code account} already, running {@code
   * _start} with the directories and streams {@code wasi} grants; {@code prepare} sees it before it
   * runs (a supervisor's restart or replacement).
   */
  Process startProgram(
      String app,
      ProgramSpec program,
      CompiledModule module,
      MemoryLedger.Account account,
      WasiSection.Spec wasi,
      Consumer<Process> prepare) {
    return start(app, program, module, START, Optional.empty(), account, wasi, prepare);
  }

  private Process start(
      String app,
      ProgramSpec program,
      CompiledModule module,
      String entry,
      Optional<Process> parent,
      MemoryLedger.Account account,
      WasiSection.Spec wasi) {
    return start(app, program, module, entry, parent, account, wasi, p -> {});
  }

  private Process start(
      String app,
      ProgramSpec program,
      CompiledModule module,
      String entry,
      Optional<Process> parent,
      MemoryLedger.Account account,
      WasiSection.Spec wasi,
      Consumer<Process> prepare) {
    var p =
        new Process(
            this, pids.incrementAndGet(), app, program, module, entry, parent, account, wasi);
    prepare.accept(p);
    processes.put(p.pid(), p);
    LOG.log(Level.DEBUG, "{0}: started", p);
    p.start();
    return p;
  }

  /**
   * Starts a worker of {@code parent}, which its account has admitted with its first message;
   * returns the parent's end of their link.
   */
  LinkEnd spawnWorker(
      Process parent,
      CompiledModule module,
      String entry,
      byte[] arg,
      MemoryLedger.Account account) {
    Process worker =
        start(
            parent.caller().app(),
            parent.program(),
            module,
            entry,
            Optional.of(parent),
            account,
            parent.wasi());
    LinkEnd link = worker.parentLink().orElseThrow();
    worker.post(new Event(EventKind.MESSAGE.value(), 0, arg, link));
    return link.peer();
  }

  void ended(Process p, Exit exit) {
    processes.remove(p.pid());
    if (exit.wasKilled() && !stopping) {
      LOG.log(Level.WARNING, "{0}: {1}", p, exit);
    } else {
      LOG.log(Level.DEBUG, "{0}: {1}", p, exit);
    }
    if (p.denials() > DENIALS_LOGGED) {
      LOG.log(Level.WARNING, "{0}: {1} calls denied in all", p, p.denials());
    }
    output.ended(p.toString(), exit.code(), exit.killReason());
  }

  private static boolean powerOfTen(int n) {
    while (n > 1 && n % 10 == 0) {
      n /= 10;
    }
    return n == 1;
  }

  /** Where processes' output goes, and the host's streams for those that ask for them. */
  Output output() {
    return output;
  }

  void guestLine(Process p, boolean stderr, String line) {
    output.line(p.toString(), stderr, line);
  }

  /**
   * Logs a denied call of {@code p}, counted in {@link Process#denials} already: the first {@link
   * #DENIALS_LOGGED} one by one, then the count at each power of ten, so that a guest looping on a
   * denied call cannot flood the log; {@link #ended} logs the total.
   */
  void denied(Process p, String what, String name) {
    int n = p.denials();
    if (n <= DENIALS_LOGGED) {
      LOG.log(
          Level.WARNING,
          "{0}: {1} ''{2}'' denied: not granted by the manifest of program ''{3}''",
          p,
          what,
          name,
          p.program().name());
    } else if (powerOfTen(n)) {
      LOG.log(
          Level.WARNING,
          "{0}: {1} calls denied so far; only the first {2} are logged one by one",
          p,
          n,
          DENIALS_LOGGED);
    }
  }

  @Override
  public ServiceRegistry services() {
    return registry;
  }

  /** The route to a name served now, for a process that locates it. */
  Optional<Registry.Route> route(String name) {
    return registry.route(name);
  }

  /** The route of an app's export, which may have lost its provider since launch. */
  Registry.Route exportRoute(String name) {
    return registry.routeOf(name);
  }

  /** The local service of a name some program exports; empty once its app was withdrawn. */
  Optional<LocalService> service(String name) {
    return registry.lookup(name).orElse(null) instanceof LocalService s
        ? Optional.of(s)
        : Optional.empty();
  }

  Deadlines deadlines() {
    return deadlines;
  }

  boolean stopping() {
    return stopping;
  }

  /** A snapshot of the live processes. */
  List<Process> live() {
    return List.copyOf(processes.values());
  }

  @Override
  public List<ProcessInfo> processes() {
    return processes.values().stream().map(Process::info).toList();
  }

  @Override
  public boolean kill(long pid, String reason) {
    Objects.requireNonNull(reason, "reason");
    Process p = processes.get(pid);
    if (p == null) {
      return false;
    }
    p.kill(reason);
    return true;
  }

  @Override
  public void close() {
    if (stopping) {
      return;
    }
    stopping = true;
    List<Process> live = live();
    for (Process p : live) {
      p.kill("the kernel is shutting down");
    }
    long deadline = clock.nanoTime() + SHUTDOWN_GRACE.toNanos();
    for (Process p : live) {
      try {
        p.exit().get(Math.max(0, deadline - clock.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.log(Level.WARNING, "{0}: still running after shutdown", p);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        throw new IllegalStateException("exits never fail", e);
      }
    }
    scheduler.stop();
    deadlines.stop();
    synchronized (apps) {
      apps.forEach(AppImpl::kernelClosed);
    }
  }
}
