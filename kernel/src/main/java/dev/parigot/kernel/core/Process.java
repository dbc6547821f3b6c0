package dev.parigot.kernel.core;

import static dev.parigot.abi.Errno.ALREADY_EXPORTED;
import static dev.parigot.abi.Errno.BAD_ARGUMENT;
import static dev.parigot.abi.Errno.BAD_HANDLE;
import static dev.parigot.abi.Errno.BUFFER_TOO_SMALL;
import static dev.parigot.abi.Errno.CANCELLED;
import static dev.parigot.abi.Errno.MESSAGE_TOO_BIG;
import static dev.parigot.abi.Errno.NOT_PERMITTED;
import static dev.parigot.abi.Errno.NO_SUCH_SERVICE;
import static dev.parigot.abi.Errno.PROVIDER_DIED;
import static dev.parigot.abi.Errno.SHUTTING_DOWN;
import static dev.parigot.abi.Errno.WOULD_EXCEED_LIMIT;

import dev.parigot.abi.Abi;
import dev.parigot.abi.EventKind;
import dev.parigot.abi.EventLayout;
import dev.parigot.engine.spi.AbiHost;
import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Ending;
import dev.parigot.engine.spi.Guest;
import dev.parigot.engine.spi.GuestConfig;
import dev.parigot.engine.spi.GuestIo;
import dev.parigot.engine.spi.GuestMemory;
import dev.parigot.engine.spi.Unwind;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Limits;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.WasiSection;
import dev.parigot.kernel.spi.CallObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One running instance of a module: single-threaded, with its own memory, handle table and event
 * queue. Everything but the inbox, the set of calls it serves and the kill switch is touched only
 * by the process's own thread, so the syscalls take no locks. The engine runs its guest and calls
 * the ABI's syscalls here, as the guest's {@link AbiHost}.
 */
final class Process implements AbiHost {
  /** Open handles one process may hold at once; keeps a looping guest from growing the kernel. */
  static final int MAX_HANDLES = 1 << 16;

  /** Payload bytes a process may have queued, in units of its max_message_bytes. */
  static final long QUEUE_FACTOR = 16;

  private static final long MAX_WAIT_MILLIS = TimeUnit.DAYS.toMillis(365);

  enum State {
    STARTING,
    RUNNING,
    ENDED
  }

  private final KernelImpl kernel;
  private final long pid;
  private final ProgramSpec program;
  private final Caller caller;
  private final CompiledModule module;
  private final Guest guest;
  private final Limits limits;
  private final String entry;
  private final Optional<LinkEnd> parentLink;
  private final Thread thread;
  // What the process is charged to in the kernel's memory ledger: its program's account.
  private final MemoryLedger.Account account;
  private final GuestHeap heap;

  private final Inbox inbox;
  // Calls routed here and not finished. Each is a CALL event in the inbox or pending, or, once
  // read, an IncomingCall in the handle table.
  private final AtomicInteger serving = new AtomicInteger();
  private final AtomicInteger liveWorkers = new AtomicInteger();
  private final AtomicInteger denials = new AtomicInteger();
  // Calls this process finished serving, and those of them that ended in an error.
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  // True once it serves all its exports (at once if it has none), false if it ended first.
  private final CompletableFuture<Boolean> ready = new CompletableFuture<>();
  private final CompletableFuture<Exit> exit = new CompletableFuture<>();
  private volatile State state = State.STARTING;
  // Set by its supervisor: how many times it restarted this process's replica before it.
  private volatile int restarts;
  // Set when an upgrade or a restart replaced the process: it takes no new calls, and drained
  // completes once the calls it has are finished.
  private volatile boolean retired;
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private volatile String killReason;
  // Scheduling (see Scheduler). When the process's current turn on a carrier began, by the kernel
  // clock; 0 while it waits for events, and once it has ended. Syscalls do not end a turn: a
  // process that enters the kernel in a loop is preempted like one that never enters it.
  private volatile long turnSince;
  // Set by the scheduler, taken by the process at its next poll or kernel entry.
  private volatile boolean checkWanted;
  // CPU time used up to cpuCheckedAt (kernel clock): the scheduler's base for estimating cpu_ms.
  private volatile long cpuUsed;
  private volatile long cpuCheckedAt;
  // CPU time used when the current turn began: the slice counts from here.
  private volatile long turnCpuStart;
  // Owner thread: the CPU clock at cpuCheckedAt, read on the carrier the process holds; and
  // whether it is the thread's CPU clock or, where no limit needs it, the kernel's clock.
  private long cpuMark;
  private boolean cpuClocked;
  // Set by the scheduler to let a preempted process go on.
  private volatile boolean resumed;
  // Whether the process is in a wait; until when (kernel clock, 0 for no time-out); and whether an
  // event came, or the process was started, since it last ran: it is then ready and owed a carrier.
  private volatile boolean waiting;
  private volatile long waitUntil;
  private volatile boolean woken;
  // Turns begun, so that the scheduler tells one wait from the next.
  private volatile long turns;
  // Scheduler thread only: the turns and the time when it first saw the process ready to run.
  private long seenTurns = -1;
  private long seenAt;

  private final WasiSection.Spec wasi;

  // Owner thread only.
  private final ArrayDeque<Event> pending = new ArrayDeque<>();
  private final HandleTable handles = new HandleTable();
  private final Map<String, Export> exported = new HashMap<>();
  private int nextHandle = 1;
  private int openChannels;
  // Registered with the kernel's deadlines at the first call that has one.
  private Deadlines.Armed armedDeadlines;
  // The trace context of the call last taken from the queue: what nested calls carry.
  private String servingTrace;

  Process(
      KernelImpl kernel,
      long pid,
      String app,
      ProgramSpec program,
      CompiledModule module,
      String entry,
      Optional<Process> parent,
      MemoryLedger.Account account,
      WasiSection.Spec wasi) {
    this.kernel = kernel;
    this.wasi = wasi;
    this.account = account;
    this.heap = new GuestHeap(account);
    this.inbox = new Inbox(account);
    this.pid = pid;
    this.program = program;
    this.caller = new Caller(app, program.name(), pid);
    this.module = module;
    this.limits = program.limits();
    this.entry = entry;
    this.parentLink = parent.map(p -> LinkEnd.pair(p, this)[1]);
    this.thread = Threads.process(this::run);
    this.guest =
        module.guest(
            new GuestConfig(
                arguments(),
                program.env(),
                line -> kernel.guestLine(this, false, line),
                line -> kernel.guestLine(this, true, line),
                limits.memoryPages(),
                heap,
                io(kernel.output(), wasi, parent.isPresent())),
            this);
    parentLink.ifPresent(link -> link.bind(newHandle(link)));
    if (program.exports().isEmpty() || isWorker()) {
      ready.complete(true);
    }
  }

  /** Its directories and streams; a worker never reads the host's stdin. */
  private static GuestIo io(Kernel.Output host, WasiSection.Spec wasi, boolean worker) {
    return new GuestIo(
        wasi.dirs(),
        wasi.inheritStdin() && !worker ? Optional.of(host.stdin()) : Optional.empty(),
        wasi.rawStdout() ? Optional.of(host.raw(false)) : Optional.empty(),
        wasi.rawStderr() ? Optional.of(host.raw(true)) : Optional.empty());
  }

  /** The program's WASI settings, which its workers share. */
  WasiSection.Spec wasi() {
    return wasi;
  }

  /** A worker's end of the link to its parent. */
  Optional<LinkEnd> parentLink() {
    return parentLink;
  }

  long pid() {
    return pid;
  }

  ProgramSpec program() {
    return program;
  }

  /** This process as the providers it calls see it. */
  Caller caller() {
    return caller;
  }

  State state() {
    return state;
  }

  boolean isWorker() {
    return parentLink.isPresent();
  }

  /**
   * Completes once the process serves all its exports, with true, or once it ended without having
   * served them, with false; a process that served them and then ended stays true.
   */
  CompletableFuture<Boolean> ready() {
    return ready;
  }

  CompletableFuture<Exit> exit() {
    return exit;
  }

  /** Names the manifest did not grant that the process asked for. */
  int denials() {
    return denials.get();
  }

  /** Calls routed to this process and not yet finished: the replica balancing load. */
  int load() {
    return serving.get();
  }

  /** What {@link dev.parigot.kernel.Kernel#processes} shows of this process. */
  ProcessInfo info() {
    return new ProcessInfo(
        pid,
        caller.app(),
        program.name(),
        toString(),
        isWorker(),
        load(),
        denials(),
        queuedBytes(),
        state == State.ENDED
            ? "ended"
            : waiting ? "waiting" : state.name().toLowerCase(Locale.ROOT),
        heap.held(),
        cpuUsed,
        served.get(),
        failed.get(),
        restarts);
  }

  /** Its supervisor counts restarts; set before the process starts. */
  void restarts(int n) {
    restarts = n;
  }

  /**
   * Takes no new calls from now on: one that picked this process before it was replaced goes to the
   * service's current replicas. Any thread.
   *
   * @return completes once every call routed here has finished
   */
  CompletableFuture<Void> retire() {
    retired = true;
    // With stopServing's decrement-then-read, one of the two sees the other's write.
    if (serving.get() == 0) {
      drained.complete(null);
    }
    return drained;
  }

  @Override
  public String toString() {
    return program.name() + (isWorker() ? "/" + entry : "") + "[" + pid + "]";
  }

  void start() {
    woken = true;
    thread.start();
  }

  /** Queues an event for this process. Any thread. */
  void post(Event event) {
    inbox.add(event);
    wake();
  }

  /**
   * Queues an event unless this process already has {@link #QUEUE_FACTOR} times its
   * max_message_bytes of events waiting to be read (see {@link Inbox#offer}): a process that does
   * not read its events must not grow the kernel without bound. Any thread.
   */
  boolean offer(Event event) {
    if (!inbox.offer(event, QUEUE_FACTOR * limits.maxMessageBytes())) {
      return false;
    }
    wake();
    return true;
  }

  /** An event was queued: a waiting process is now ready to run, which the scheduler minds. */
  private void wake() {
    if (waiting) {
      woken = true;
    }
  }

  /**
   * Queues the final event (END or ERROR) of a channel made by {@link #call}, which charged its
   * {@link MemoryLedger#EVENT_BYTES}, if its payload fits the queue bound and the account. Any
   * thread.
   */
  boolean offerFinal(Event event) {
    return inbox.offerFinal(event, QUEUE_FACTOR * limits.maxMessageBytes());
  }

  /** Gives back the charge of a final event that will never be queued. Any thread. */
  void releaseEvent() {
    account.release(MemoryLedger.EVENT_BYTES);
  }

  /**
   * Whether the process is ready for more partial results: its queue is at most half full, so a
   * partial of max_message_bytes is taken even when several streams send one at once. Any thread.
   */
  boolean readyForPartials() {
    return inbox.queuedBytes() <= readyBytes();
  }

  /** Runs {@code waiter} once the process is {@link #readyForPartials ready}. Any thread. */
  void awaitReady(Runnable waiter) {
    inbox.awaitRoom(waiter, readyBytes());
  }

  private long readyBytes() {
    return QUEUE_FACTOR / 2 * limits.maxMessageBytes();
  }

  /** What this process's unread events cost, as the queue bound counts them. Any thread. */
  long queuedBytes() {
    return inbox.queuedBytes();
  }

  /** Ends the process at its next kernel entry, call or loop back-edge. Any thread; idempotent. */
  void kill(String reason) {
    if (killReason == null) {
      killReason = reason;
    }
    guest.stop();
    // Interrupt every time: a kill that came before the thread started left no flag.
    thread.interrupt();
  }

  // ---- scheduling ----

  /**
   * For the scheduler: makes the process check itself at its next poll or kernel entry if its turn
   * may have taken more CPU time than its slice while others wait ({@code contended}), or it may
   * have used up its cpu_ms: its CPU time since the last check is at most the time since.
   */
  void schedule(long now, boolean contended) {
    if (turnSince == 0 || checkWanted) {
      return;
    }
    long used = cpuUsed + (now - cpuCheckedAt);
    boolean pastSlice = contended && used - turnCpuStart > millisToNanos(limits.cpuSliceMillis());
    long cpuLimit = millisToNanos(limits.cpuMillis());
    boolean pastCpu = cpuLimit > 0 && used >= cpuLimit;
    if (pastSlice || pastCpu) {
      checkWanted = true;
      guest.preempt();
    }
  }

  /**
   * For the scheduler: whether the process has been ready to run, started or woken from a wait, for
   * at least {@code patience} without getting a carrier; a preempted process is not ready.
   * Processes that call each other are ready for moments all the time: only a wait that lasts is
   * contention. Scheduler thread only.
   */
  boolean waitsToRun(long now, long patience) {
    long until = waitUntil;
    boolean ready =
        turnSince == 0
            && state != State.ENDED
            && (woken || (waiting && until != 0 && now - until >= 0));
    if (!ready) {
      seenTurns = -1;
      return false;
    }
    long t = turns;
    if (t != seenTurns) {
      seenTurns = t;
      seenAt = now;
    }
    return now - seenAt >= patience;
  }

  @Override
  public void enterKernel() {
    if (killReason != null) {
      throw new ProcessExit(Exit.killed(killReason));
    }
    if (checkWanted) {
      checkIn();
    }
  }

  @Override
  public void preempted() {
    if (checkWanted) {
      checkIn();
    }
  }

  /** What the scheduler asked for: the process dies past cpu_ms, and yields past its slice. */
  private void checkIn() {
    checkWanted = false;
    long now = kernel.clock().nanoTime();
    account(now);
    long cpuLimit = millisToNanos(limits.cpuMillis());
    if (cpuLimit > 0 && cpuUsed >= cpuLimit) {
      kill(
          "CPU time limit exceeded: used "
              + TimeUnit.NANOSECONDS.toMillis(cpuUsed)
              + " ms of cpu_ms = "
              + limits.cpuMillis());
      throw new ProcessExit(Exit.killed(killReason));
    }
    Scheduler scheduler = kernel.scheduler();
    if (!scheduler.contended()) {
      return;
    }
    if (!cpuClocked) {
      // Others wait: from now on the turn is measured in CPU time, which a wait for the OS or the
      // garbage collector does not add to.
      cpuClocked = true;
      cpuMark = kernel.clock().threadCpuNanos();
    }
    if (cpuUsed - turnCpuStart > millisToNanos(limits.cpuSliceMillis())) {
      // Off the carrier until the scheduler lets it go on: those that wait for one go first.
      endTurn();
      resumed = false;
      scheduler.preempted(this);
      while (!resumed && killReason == null) {
        LockSupport.park(this);
      }
      if (killReason != null) {
        throw new ProcessExit(Exit.killed(killReason));
      }
      beginTurn();
    }
  }

  /** For the scheduler: a preempted process goes on. */
  void resume() {
    resumed = true;
    LockSupport.unpark(thread);
  }

  /** The process runs: it started, or came back from a wait or a preemption. Owner thread. */
  private void beginTurn() {
    woken = false;
    turns++;
    long now = kernel.clock().nanoTime();
    // The CPU clock costs a system call: read it where a limit or others waiting need it.
    cpuClocked = limits.cpuMillis() > 0 || kernel.scheduler().contended();
    cpuMark = cpuClocked ? kernel.clock().threadCpuNanos() : now;
    cpuCheckedAt = now;
    turnCpuStart = cpuUsed;
    turnSince = now;
  }

  /** The process stops running: it waits, is preempted or ends. Owner thread. */
  private void endTurn() {
    if (turnSince != 0) {
      account(kernel.clock().nanoTime());
      turnSince = 0;
    }
  }

  /** Adds the CPU time since the last reading. Owner thread, on the carrier of that reading. */
  private void account(long now) {
    long cpu = cpuClocked ? kernel.clock().threadCpuNanos() : now;
    // Never more than the time that passed: a reading from another carrier must not count.
    cpuUsed += Math.clamp(cpu - cpuMark, 0, Math.max(0, now - cpuCheckedAt));
    cpuMark = cpu;
    cpuCheckedAt = now;
  }

  private static long millisToNanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  // ---- life cycle ----

  private void run() {
    Exit end;
    state = State.RUNNING;
    // The turn covers instantiation: a module's start function is guest code too.
    beginTurn();
    try {
      end = ending(guest.run(entry));
    } catch (ProcessExit e) {
      end = killReason != null ? Exit.killed(killReason) : e.exit();
    } catch (RuntimeException | Error e) {
      // An engine's own failure: it ends this process, not the kernel.
      end = Exit.killed("kernel error while running the guest: " + e);
    } finally {
      endTurn();
    }
    die(end);
  }

  private List<String> arguments() {
    List<String> args = new ArrayList<>();
    args.add(program.name());
    args.addAll(program.args());
    return args;
  }

  /** Classifies how the guest ended; the kill switch wins over whatever it caused. */
  private Exit ending(Ending ending) {
    String reason = killReason;
    return switch (ending) {
      case Ending.Returned r -> Exit.normal(0);
      case Ending.Exited e -> reason != null ? Exit.killed(reason) : Exit.normal(e.code());
      case Ending.Stopped st -> Exit.killed(reason != null ? reason : "stopped");
      case Ending.Trapped t -> Exit.killed(reason != null ? reason : t.description());
    };
  }

  private void die(Exit end) {
    state = State.ENDED;
    // A call routed here from now on sees ENDED once queued and fails itself (accept).
    byte[] died = utf8(toString() + " " + end);
    takeQueued();
    for (Event e : pending) {
      if (e.subject() instanceof IncomingCall call && e.kind() == EventKind.CALL.value()) {
        call.fail(PROVIDER_DIED.negative(), died);
      }
    }
    handles.forEach(o -> {
      if (o instanceof IncomingCall call) {
        call.fail(PROVIDER_DIED.negative(), died);
      }
    });
    for (Export e : exported.values()) {
      kernel.service(e.name()).ifPresent(s -> s.remove(this));
    }
    handles.forEach(o -> {
      if (o instanceof Channel ch) {
        ch.abandon(CANCELLED);
      } else if (o instanceof LinkEnd link && parentLink.map(p -> p != link).orElse(true)) {
        link.peer().owner().kill("its parent " + this + " ended");
      }
    });
    handles.clear();
    if (armedDeadlines != null) {
      kernel.deadlines().unregister(armedDeadlines);
    }
    parentLink.ifPresent(link -> {
      Process parent = link.peer().owner();
      parent.freeWorkerSlot(link.peer());
      int code = end.wasKilled() ? PROVIDER_DIED.negative() : end.code();
      // Before the post, which publishes it to the parent's thread.
      link.peer().workerKilled(end.wasKilled());
      parent.post(new Event(EventKind.EXIT.value(), code, new byte[0], link.peer()));
    });
    // Everything the process was charged for goes back: nothing reads its events any more.
    takeQueued();
    pending.forEach(inbox::consumed);
    pending.clear();
    inbox.close();
    heap.releaseAll();
    account.endProcess(MemoryLedger.PROCESS_BYTES);
    ready.complete(false);
    kernel.ended(this, end);
    exit.complete(end);
  }

  // ---- syscalls: each returns >= 0 or a negative errno; bad pointers kill ----

  @Override
  public int locate(int namePtr, int nameLen) {
    String name = readName(namePtr, nameLen);
    if (name == null) {
      return BAD_ARGUMENT.negative();
    }
    if (!program.requires().contains(name)) {
      return deny("locate", name);
    }
    if (kernel.stopping()) {
      return SHUTTING_DOWN.negative();
    }
    return kernel
        .route(name)
        .map(route -> allocate(new ServiceRef(name, route)))
        .orElse(NO_SUCH_SERVICE.negative());
  }

  @Override
  public int export(int namePtr, int nameLen) {
    String name = readName(namePtr, nameLen);
    if (name == null) {
      return BAD_ARGUMENT.negative();
    }
    if (isWorker() || !program.exports().contains(name)) {
      return deny("export", name);
    }
    if (exported.containsKey(name)) {
      return ALREADY_EXPORTED.negative();
    }
    if (kernel.stopping()) {
      return SHUTTING_DOWN.negative();
    }
    if (handles.size() >= MAX_HANDLES) {
      return WOULD_EXCEED_LIMIT.negative();
    }
    Optional<LocalService> service = kernel.service(name);
    if (service.isEmpty()) {
      // The app failed to start and withdrew its names.
      return SHUTTING_DOWN.negative();
    }
    int handle = nextHandle++;
    var export = new Export(this, name, handle);
    handles.put(handle, export);
    exported.put(name, export);
    service.get().add(export);
    if (exported.keySet().containsAll(program.exports())) {
      ready.complete(true);
    }
    return handle;
  }

  @Override
  public int call(int service, int method, int reqPtr, int reqLen, long timeoutMs) {
    if (!(handles.get(service) instanceof ServiceRef ref)) {
      return BAD_HANDLE.negative();
    }
    if (method < 0 || timeoutMs < Abi.TIMEOUT_DEFAULT) {
      return BAD_ARGUMENT.negative();
    }
    checkRange(reqPtr, reqLen);
    if (reqLen > limits.maxMessageBytes()) {
      return MESSAGE_TOO_BIG.negative();
    }
    if (openChannels >= limits.maxInflight() || handles.size() >= MAX_HANDLES) {
      return WOULD_EXCEED_LIMIT.negative();
    }
    if (kernel.stopping()) {
      return SHUTTING_DOWN.negative();
    }
    // The channel's final event is charged now, so that it can always be queued.
    if (!account.reserve(MemoryLedger.EVENT_BYTES)) {
      return WOULD_EXCEED_LIMIT.negative();
    }
    byte[] request = bytes(reqPtr, reqLen);
    int handle = nextHandle++;
    var channel = new Channel(this, handle);
    handles.put(handle, channel);
    openChannels++;
    CallObserver.Call observed =
        kernel.observer().started(caller, ref.name(), method, Optional.ofNullable(servingTrace));
    channel.observe(observed);
    long timeout = timeoutMs == Abi.TIMEOUT_DEFAULT ? limits.callTimeoutMillis() : timeoutMs;
    // Deadlines more than a year away are no deadline, as waits are.
    boolean deadline = timeout > 0 && timeout <= MAX_WAIT_MILLIS;
    if (deadline) {
      // Known to the provider's open (Replies.timeLeft), armed only after it.
      channel.deadline(kernel.deadlines(), timeout);
    }
    Provider provider = ref.provider();
    Optional<String> trace = observed.traceparent();
    channel.connect(
        trace.isEmpty()
            ? provider.open(caller, method, request, channel)
            : ScopedValue.where(CallObserver.TRACEPARENT, trace.get())
                .call(() -> provider.open(caller, method, request, channel)));
    if (deadline) {
      if (armedDeadlines == null) {
        armedDeadlines = kernel.deadlines().register();
      }
      channel.arm(kernel.deadlines(), armedDeadlines);
    }
    return handle;
  }

  /** The wait syscall (named so because {@link Object#wait} is taken). */
  @Override
  public int await(int eventsPtr, int maxEvents, int bufPtr, int bufLen, long timeoutMs) {
    if (maxEvents < 1 || maxEvents > Abi.MAX_EVENTS || timeoutMs < Abi.TIMEOUT_DEFAULT) {
      return BAD_ARGUMENT.negative();
    }
    checkRange(eventsPtr, maxEvents * EventLayout.SIZE);
    checkRange(bufPtr, bufLen);
    // Waits longer than a year are waits forever, which also keeps the arithmetic from overflowing.
    long timeout = timeoutMs > MAX_WAIT_MILLIS ? Abi.TIMEOUT_DEFAULT : timeoutMs;
    long deadline = timeout > 0 ? kernel.clock().nanoTime() + timeout * 1_000_000 : 0;
    while (true) {
      takeQueued();
      int n = deliver(eventsPtr, maxEvents, bufPtr, bufLen);
      if (n != 0 || timeout == Abi.TIMEOUT_NONE) {
        return n;
      }
      long left = timeout > 0 ? deadline - kernel.clock().nanoTime() : -1;
      if (timeout > 0 && left <= 0) {
        return 0;
      }
      waitUntil = deadline;
      waiting = true;
      endTurn();
      // While others wait for a carrier, yielding it would only make them wait longer.
      inbox.await(left, !kernel.scheduler().contended());
      waiting = false;
      beginTurn();
      if (killReason != null) {
        throw new ProcessExit(Exit.killed(killReason));
      }
    }
  }

  private int deliver(int eventsPtr, int maxEvents, int bufPtr, int bufLen) {
    GuestMemory memory = guest.memory();
    int n = 0;
    int used = 0;
    while (n < maxEvents && !pending.isEmpty()) {
      Event e = pending.peekFirst();
      if (stale(e)) {
        pending.pollFirst();
        inbox.consumed(e);
        continue;
      }
      int len = e.payload().length;
      if (len > bufLen - used) {
        if (n == 0) {
          memory.writeI32(eventsPtr + EventLayout.KIND, e.kind());
          memory.writeI32(eventsPtr + EventLayout.PAYLOAD_LEN, len);
          return BUFFER_TOO_SMALL.negative();
        }
        break;
      }
      pending.pollFirst();
      inbox.consumed(e);
      int record = eventsPtr + n * EventLayout.SIZE;
      memory.writeI32(record + EventLayout.KIND, e.kind());
      memory.writeI32(record + EventLayout.HANDLE, bind(e));
      memory.writeI32(record + EventLayout.CODE, e.code());
      memory.writeI32(
          record + EventLayout.SERVICE,
          switch (e.subject()) {
            case IncomingCall c when e.kind() == EventKind.CALL.value() -> c.export().handle();
            case LinkEnd l when e.kind() == EventKind.EXIT.value() && l.workerKilled() ->
                Abi.EXIT_KILLED;
            default -> 0;
          });
      memory.writeI32(record + EventLayout.PAYLOAD_OFFSET, used);
      memory.writeI32(record + EventLayout.PAYLOAD_LEN, len);
      memory.writeI64(record + EventLayout.RESERVED, 0);
      memory.write(bufPtr + used, e.payload(), 0, len);
      used += len;
      n++;
    }
    return n;
  }

  private void takeQueued() {
    for (Event e = inbox.poll(); e != null; e = inbox.poll()) {
      pending.add(e);
    }
  }

  /**
   * Drops the queued events of a channel just cancelled, so that they stop counting against the
   * queue bound now rather than at the next wait.
   */
  private void dropStale() {
    takeQueued();
    pending.removeIf(e -> {
      if (!stale(e)) {
        return false;
      }
      inbox.consumed(e);
      return true;
    });
  }

  /** An event the guest must not see: its handle was released, or its call was withdrawn. */
  private static boolean stale(Event e) {
    return switch (e.subject()) {
      case Channel ch -> ch.released();
      case IncomingCall c -> e.kind() == EventKind.CALL.value() ? c.finished() : c.id() == 0;
      case LinkEnd link -> link.released();
      default -> throw new IllegalStateException("event about " + e.subject());
    };
  }

  /** Gives the event its handle number, releasing handles whose last event this is. */
  private int bind(Event e) {
    int kind = e.kind();
    switch (e.subject()) {
      case Channel ch -> {
        if (kind == EventKind.END.value() || kind == EventKind.ERROR.value()) {
          ch.release();
          handles.remove(ch.handle());
          openChannels--;
        }
        return ch.handle();
      }
      case IncomingCall c -> {
        if (kind == EventKind.CALL.value()) {
          servingTrace = c.traceparent();
          int id = nextHandle++;
          c.bind(id);
          handles.put(id, c);
          return id;
        }
        handles.remove(c.id());
        return c.id();
      }
      case LinkEnd link -> {
        if (kind == EventKind.EXIT.value()) {
          link.release();
          handles.remove(link.handle());
        }
        return link.handle();
      }
      default -> throw new IllegalStateException("event about " + e.subject());
    }
  }

  @Override
  public int reply(int callId, int flags, int ptr, int len) {
    if (!(handles.get(callId) instanceof IncomingCall call)) {
      return BAD_HANDLE.negative();
    }
    if (flags != Abi.REPLY_PARTIAL && flags != Abi.REPLY_END) {
      return BAD_ARGUMENT.negative();
    }
    byte[] data = readMessage(ptr, len);
    if (data == null) {
      return MESSAGE_TOO_BIG.negative();
    }
    if (flags == Abi.REPLY_PARTIAL) {
      call.awaitReady();
      if (killReason != null) {
        throw new ProcessExit(Exit.killed(killReason));
      }
      return call.partial(data) ? 0 : CANCELLED.negative();
    }
    if (!call.end(data)) {
      return CANCELLED.negative();
    }
    handles.remove(callId);
    return 0;
  }

  @Override
  public int fail(int callId, int code, int msgPtr, int msgLen) {
    if (!(handles.get(callId) instanceof IncomingCall call)) {
      return BAD_HANDLE.negative();
    }
    if (code <= 0) {
      return BAD_ARGUMENT.negative();
    }
    byte[] message = readMessage(msgPtr, msgLen);
    if (message == null) {
      return MESSAGE_TOO_BIG.negative();
    }
    if (!call.fail(code, message)) {
      return CANCELLED.negative();
    }
    handles.remove(callId);
    return 0;
  }

  @Override
  public int cancel(int handle) {
    Object o = handles.get(handle);
    if (o instanceof Channel ch) {
      ch.abandon(CANCELLED);
      openChannels--;
      dropStale();
    } else if (o instanceof LinkEnd link && parentLink.map(p -> p != link).orElse(true)) {
      link.release();
      // The worker is gone for the parent now, though it may take a moment to unwind.
      freeWorkerSlot(link);
      link.peer().owner().kill("stopped by its parent " + this);
    } else {
      return BAD_HANDLE.negative();
    }
    handles.remove(handle);
    return 0;
  }

  @Override
  public int spawn(int entryPtr, int entryLen, int argPtr, int argLen) {
    String name = readName(entryPtr, entryLen);
    if (name == null) {
      return BAD_ARGUMENT.negative();
    }
    if (!module.entries().contains(name)) {
      return NO_SUCH_SERVICE.negative();
    }
    byte[] arg = readMessage(argPtr, argLen);
    if (arg == null) {
      return MESSAGE_TOO_BIG.negative();
    }
    if (liveWorkers.get() >= limits.maxWorkers() || handles.size() >= MAX_HANDLES) {
      return WOULD_EXCEED_LIMIT.negative();
    }
    if (kernel.stopping()) {
      return SHUTTING_DOWN.negative();
    }
    // The worker, its first MESSAGE and the EXIT its parent will get count against the program:
    // workers of workers too, so that no tree of them outgrows it.
    long cost = MemoryLedger.PROCESS_BYTES + arg.length + 2 * MemoryLedger.EVENT_BYTES;
    if (!account.startProcess(cost)) {
      return WOULD_EXCEED_LIMIT.negative();
    }
    liveWorkers.incrementAndGet();
    LinkEnd mine = kernel.spawnWorker(this, module, name, arg, account);
    int handle = newHandle(mine);
    mine.bind(handle);
    return handle;
  }

  /** Gives back the max_workers slot of the worker at the other end of {@code mine}, once. */
  private void freeWorkerSlot(LinkEnd mine) {
    if (mine.takeSlot()) {
      liveWorkers.decrementAndGet();
    }
  }

  @Override
  public int send(int handle, int ptr, int len) {
    if (!(handles.get(handle) instanceof LinkEnd link)) {
      return BAD_HANDLE.negative();
    }
    byte[] data = readMessage(ptr, len);
    if (data == null) {
      return MESSAGE_TOO_BIG.negative();
    }
    Process peer = link.peer().owner();
    if (peer.state == State.ENDED) {
      return PROVIDER_DIED.negative();
    }
    if (!peer.offer(new Event(EventKind.MESSAGE.value(), 0, data, link.peer()))) {
      return WOULD_EXCEED_LIMIT.negative();
    }
    return 0;
  }

  @Override
  public Unwind exit(int code) {
    return new ProcessExit(Exit.normal(code));
  }

  // ---- kernel side of serving ----

  /** Takes a call routed here by a {@link LocalService}. Any thread. */
  Provider.Cancellation accept(Export export, int method, byte[] request, Replies replies) {
    serving.incrementAndGet(); // the call's end, whichever it is, counts it out in stopServing
    if (retired) {
      // Replaced after the call picked it: the call goes to a current replica instead.
      stopServing();
      Optional<LocalService> service = kernel.service(export.name());
      if (service.isPresent()) {
        return service.get().dispatch(method, request, replies);
      }
      replies.fail(PROVIDER_DIED.negative(), utf8(this + " was replaced"));
      return reason -> {};
    }
    var call =
        new IncomingCall(
            this,
            export,
            method,
            request,
            replies,
            CallObserver.TRACEPARENT.isBound() ? CallObserver.TRACEPARENT.get() : null);
    if (request.length > limits.maxMessageBytes()) {
      call.fail(MESSAGE_TOO_BIG.negative(), utf8("request larger than " + this + " accepts"));
      return call;
    }
    // The CANCEL the call may bring is charged now, so that it can always be queued.
    if (!account.reserve(MemoryLedger.EVENT_BYTES)) {
      call.fail(WOULD_EXCEED_LIMIT.negative(), utf8(this + " has no memory budget left for calls"));
      return call;
    }
    call.holdCancelCharge();
    if (!offer(call.callEvent())) {
      call.fail(WOULD_EXCEED_LIMIT.negative(), utf8(this + " has too much queued to take calls"));
      return call;
    }
    // A process that ended after it was picked must not strand the call.
    if (state == State.ENDED) {
      call.fail(PROVIDER_DIED.negative(), utf8(this + " ended"));
    }
    return call;
  }

  /** A call routed here by {@link #accept} finished; called once per call. */
  void stopServing() {
    if (serving.decrementAndGet() == 0 && retired) {
      drained.complete(null);
    }
  }

  /** The server finished a call routed here, with a result or an error. Any thread. */
  void served(boolean ok) {
    served.incrementAndGet();
    if (!ok) {
      failed.incrementAndGet();
    }
  }

  // ---- helpers ----

  private int allocate(Object o) {
    if (handles.size() >= MAX_HANDLES) {
      return WOULD_EXCEED_LIMIT.negative();
    }
    return newHandle(o);
  }

  private int newHandle(Object o) {
    int handle = nextHandle++;
    handles.put(handle, o);
    return handle;
  }

  private int deny(String what, String name) {
    denials.incrementAndGet();
    kernel.denied(this, what, name);
    return NOT_PERMITTED.negative();
  }

  /**
   * Reads a service or entry name; null when it is not a valid name. A pointer or length outside
   * memory kills the process.
   */
  private String readName(int ptr, int len) {
    checkRange(ptr, len);
    if (len < 1 || len > Abi.MAX_NAME_LEN) {
      return null;
    }
    byte[] bytes = bytes(ptr, len);
    if (!Names.valid(bytes)) {
      return null;
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /** Reads a message; null when it exceeds the program's limit. Bad ranges kill. */
  private byte[] readMessage(int ptr, int len) {
    checkRange(ptr, len);
    if (len > limits.maxMessageBytes()) {
      return null;
    }
    return bytes(ptr, len);
  }

  /** Copies guest memory; the range was checked. A module may have no memory at all. */
  private byte[] bytes(int ptr, int len) {
    return len == 0 ? new byte[0] : guest.memory().read(ptr, len);
  }

  private void checkRange(int ptr, int len) {
    long size = guest.memory().size();
    if (ptr < 0 || len < 0 || (long) ptr + len > size) {
      String reason =
          "bad pointer: ["
              + Integer.toUnsignedString(ptr)
              + ", +"
              + len
              + ") is outside its "
              + size
              + "-byte memory";
      killReason = reason;
      throw new ProcessExit(Exit.killed(reason));
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
