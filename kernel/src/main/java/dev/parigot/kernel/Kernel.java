package dev.parigot.kernel;

import dev.parigot.engine.spi.Engine;
import dev.parigot.errors.DeniedException;
import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.core.KernelImpl;
import dev.parigot.kernel.core.Names;
import dev.parigot.kernel.spi.CallObserver;
import dev.parigot.kernel.spi.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Predicate;

/**
 * Runs wasm programs as isolated processes that reach each other only through named services.
 *
 * <p>A kernel is thread-safe. Closing it kills every process it runs and frees its threads.
 */
public interface Kernel extends AutoCloseable {
  /** A builder with defaults: guest output to the JVM's stdout and stderr. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Loads every program of a manifest, then starts them, providers before their users: a program
   * starts once every replica of each program it requires serves all its exports (or has ended, or
   * {@link Builder#startTimeout} passed). {@code test} programs are not started.
   *
   * @throws ModuleRefusedException if a module is refused; nothing was started then
   * @throws DeniedException if a name the manifest exports is already served in this kernel, or it
   *     requires a kernel name this kernel does not serve
   * @throws ParigotException if a program's processes do not fit its memory budget or {@code
   *     max_processes} (or the app's, or the kernel's budget); what had started is stopped
   */
  App launch(Manifest manifest);

  /**
   * Launches a manifest's {@code test} programs for {@code parigot test}: loads and starts them as
   * {@link #launch} starts programs, together with the programs that export what they require,
   * directly or through other providers, and nothing else (no {@code main}, no unrelated service).
   * The test programs count as the app's mains: {@link App#awaitMains} waits for them and returns
   * the first non-zero exit code among them.
   *
   * @throws ModuleRefusedException if a module is refused; nothing was started then
   * @throws DeniedException if a name the started programs export is already served in this kernel
   * @throws ParigotException if the manifest has no test program
   */
  App launchTests(Manifest manifest);

  /**
   * Loads and validates every module of a manifest and checks the kernel names its programs
   * require, as {@link #launch} would, without starting anything.
   *
   * @throws ModuleRefusedException if a module is refused
   * @throws DeniedException if a program requires a kernel name this kernel does not serve
   */
  void verify(Manifest manifest);

  /**
   * As {@link #verify(Manifest)}, for the programs {@code which} accepts only: {@code parigot
   * check} leaves out a test program whose module is not built yet, as {@code parigot run} does.
   *
   * @throws ModuleRefusedException if a module is refused
   * @throws DeniedException if a program requires a kernel name this kernel does not serve
   */
  void verify(Manifest manifest, Predicate<ProgramSpec> which);

  /**
   * The names this kernel routes and who serves them: where providers are added and removed while
   * the kernel runs, and where a host watches for a name.
   */
  ServiceRegistry services();

  /** The live processes, in no particular order. */
  List<ProcessInfo> processes();

  /**
   * Kills a process: it ends at its next kernel entry, call or loop back-edge, with {@code reason}
   * as its kill reason, and its callers get {@code PROVIDER_DIED}.
   *
   * @return false if no live process has {@code pid}
   */
  boolean kill(long pid, String reason);

  /** Kills every process and stops the kernel's threads. Idempotent. */
  @Override
  void close();

  /** Where processes' output and endings are reported. Called from process threads. */
  @FunctionalInterface
  interface Output {
    /**
     * A line a process wrote to stdout or stderr.
     *
     * @param process names the process: program, pid and, for a worker, its entry
     * @param stderr whether the line came from stderr
     * @param line the text, without its line end
     */
    void line(String process, boolean stderr, String line);

    /**
     * A process ended. The kernel also logs this; by default nothing more happens.
     *
     * @param process names the process, as in {@link #line}
     * @param code its exit code; 70 when it was killed
     * @param killReason why the kernel killed it, with the wasm stack when known
     */
    default void ended(String process, int code, java.util.Optional<String> killReason) {}

    /**
     * The host's stdin, which the one main program whose manifest says {@code stdin = "inherit"}
     * reads. By default the JVM's.
     */
    default java.io.InputStream stdin() {
      return System.in;
    }

    /**
     * Where the bytes a process writes to stdout (or stderr) go, untouched, when its manifest says
     * {@code stdout = "raw"} (or {@code stderr}). Processes write to it one WASI write at a time,
     * each synchronized on the stream. By default the JVM's stdout and stderr.
     *
     * @param stderr whether for stderr
     */
    default java.io.OutputStream raw(boolean stderr) {
      return stderr ? System.err : System.out;
    }
  }

  /** Configures a {@link Kernel}. */
  final class Builder {
    private Output output =
        (process, stderr, line) ->
            (stderr ? System.err : System.out).println(process + ": " + line);
    private Duration startTimeout = Duration.ofSeconds(10);
    private final Map<String, Provider> services = new LinkedHashMap<>();
    private boolean cpuWatchdog = true;
    private Optional<Engine> engine = Optional.empty();
    private Clock clock = Clock.system();
    private long memoryBudget = defaultMemoryBudget(Runtime.getRuntime().maxMemory());
    private CallObserver observer = CallObserver.NONE;

    private Builder() {}

    /**
     * The heap the kernel keeps for itself: a quarter of the JVM's maximum heap, at least 64 MiB
     * (half of a heap smaller than 128 MiB). Its own threads, the kernel services, compiled modules
     * and what the budget does not count live there.
     */
    static long defaultMemoryBudget(long maxHeap) {
      long reserve = Math.max(maxHeap / 4, Math.min(64L << 20, maxHeap / 2));
      return Math.max(1, maxHeap - reserve);
    }

    /**
     * Serves {@code name} with a provider that runs in this JVM: how the kernel's own services
     * (names under {@code parigot.}) and embedding hosts offer services to processes. Processes
     * still reach it only if their manifest requires the name.
     *
     * @throws IllegalArgumentException if the name is not a valid service name or is already served
     *     by this builder
     */
    public Builder service(String name, Provider provider) {
      Objects.requireNonNull(provider, "provider");
      if (!Names.valid(name.getBytes(StandardCharsets.UTF_8))) {
        throw new IllegalArgumentException("not a service name: '" + name + "'");
      }
      if (services.putIfAbsent(name, provider) != null) {
        throw new IllegalArgumentException(name + " is already served");
      }
      return this;
    }

    /** Where guest output goes. */
    public Builder output(Output output) {
      this.output = Objects.requireNonNull(output, "output");
      return this;
    }

    /** How long to wait for a provider to serve its exports before starting its users. */
    public Builder startTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive: " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Whether the scheduler preempts processes past {@code cpu_slice_ms} and kills those past
     * {@code cpu_ms} (default: on). Off, no scheduler thread runs, and a guest that spins holds its
     * carrier until it ends. It exists so that the benchmarks can measure what the scheduler costs;
     * never turn it off for guests you do not trust.
     */
    public Builder cpuWatchdog(boolean on) {
      this.cpuWatchdog = on;
      return this;
    }

    /**
     * The wasm engine that compiles and runs modules. By default the first {@link Engine} that
     * {@link ServiceLoader} finds.
     */
    public Builder engine(Engine engine) {
      this.engine = Optional.of(engine);
      return this;
    }

    /**
     * The bytes of heap that guests may make the kernel hold in all: their linear memories and
     * tables, their unread events and a fixed cost per process (RATIONALE.md, "How is the kernel's
     * memory budgeted?"). By default the JVM's maximum heap less the kernel's reserve, a quarter of
     * it (at least 64 MiB). Tests set a small one to run out of it cheaply.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public Builder memoryBudget(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memoryBudget must be positive: " + bytes);
      }
      this.memoryBudget = bytes;
      return this;
    }

    /** The clock deadlines, time-outs and CPU slices are measured with; the JVM's by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** What sees every call routed (metrics, tracing); by default {@link CallObserver#NONE}. */
    public Builder observer(CallObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /**
     * Starts a kernel.
     *
     * @throws ParigotException if no engine was given and none is installed
     */
    public Kernel build() {
      Engine e =
          engine
              .or(() -> ServiceLoader.load(Engine.class).findFirst())
              .orElseThrow(() ->
                  new ParigotException(
                      "no wasm engine: put an engine module (such as"
                          + " parigot-engine-chicory) on the class path"));
      return new KernelImpl(
          output,
          startTimeout,
          services,
          cpuWatchdog,
          e,
          Builder::readModule,
          clock,
          memoryBudget,
          observer);
    }

    /** The largest module file the kernel reads: larger ones are refused unread. */
    private static final int MAX_MODULE_BYTES = 256 << 20;

    private static byte[] readModule(ProgramSpec program) {
      try {
        long size = Files.size(program.wasm());
        if (size > MAX_MODULE_BYTES) {
          throw tooLarge(program, size + " bytes");
        }
        // The file may grow after the size check: read no more than the limit allows.
        try (var in = Files.newInputStream(program.wasm())) {
          byte[] bytes = in.readNBytes(MAX_MODULE_BYTES + 1);
          if (bytes.length > MAX_MODULE_BYTES) {
            throw tooLarge(program, "more than " + MAX_MODULE_BYTES + " bytes");
          }
          return bytes;
        }
      } catch (IOException e) {
        throw new ModuleRefusedException(
            "program '"
                + program.name()
                + "': cannot read "
                + program.wasm()
                + ": "
                + Manifest.reason(e),
            e);
      }
    }

    private static ModuleRefusedException tooLarge(ProgramSpec program, String size) {
      return new ModuleRefusedException(
          program.wasm()
              + ": "
              + size
              + "; a module file for program '"
              + program.name()
              + "' may be at most "
              + MAX_MODULE_BYTES
              + " bytes (256 MiB)");
    }
  }
}
