package dev.parigot.bench;

import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.spi.CallObserver;
import dev.parigot.services.KernelServices;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;

/**
 * The benchmarks that run C guests in a kernel (bench/guests). The guests time themselves with the
 * WASI monotonic clock, which is the kernel's {@link System#nanoTime}, and print what they measured
 * to stdout after the timed part; this class parses those lines. Each measurement runs in a fresh
 * kernel, so nothing of one (its exported names, its processes) disturbs the next.
 */
final class GuestBench {
  private static final String SERVICE = "bench.v1.Echo";
  private static final Duration RUN_LIMIT = Duration.ofMinutes(3);

  private final Path guests;

  /** {@code guests}: the directory holding the benchmark guests' .wasm files. */
  GuestBench(Path guests) {
    this.guests = guests;
  }

  /** What the callers of one run measured: every round trip, and the span of each caller. */
  record Calls(Histogram histogram, long calls, long firstStart, long lastEnd) {
    double perSecond() {
      return calls * 1e9 / (lastEnd - firstStart);
    }
  }

  /**
   * {@code callers} processes each make {@code warmup} untimed then {@code n} timed sequential
   * 64-byte calls to one echo server.
   *
   * @param watchdog whether the scheduler runs (preemption and cpu_ms)
   * @param deadline whether calls carry the default deadline (30 s), or none
   */
  Calls calls(int callers, int warmup, int n, boolean watchdog, boolean deadline) {
    String timeout = deadline ? "-1" : "0";
    return calls(run(watchdog, echoApp(callers, "calls", warmup, n, timeout)), (long) callers * n);
  }

  /**
   * As {@link #calls}, with the scheduler on and the default deadline, seen by {@code observer}.
   */
  Calls observedCalls(CallObserver observer, int callers, int warmup, int n) {
    return calls(
        run(
            Kernel.builder().cpuWatchdog(true).observer(observer),
            echoApp(callers, "calls", warmup, n, "-1")),
        (long) callers * n);
  }

  /**
   * {@code callers} processes of bench/guests/svc.c each make {@code warmup} untimed then {@code n}
   * timed sequential {@code op} calls (put, get, send or receive) to the kernel services.
   */
  Calls services(KernelServices services, String op, int callers, int warmup, int n) {
    String toml =
        """
        app = "bench-services"
        [program.svc]
        wasm = "svc.wasm"
        role = "main"
        requires = ["parigot.kv.v1.KV", "parigot.queue.v1.Queue"]
        args = ["%s", "%d", "%d"]
        replicas = %d
        """
            .formatted(op, warmup, n, callers);
    return calls(run(services.install(Kernel.builder()), toml), (long) callers * n);
  }

  /** The samples and spans the processes of {@code run} printed; {@code expected} samples. */
  private static Calls calls(Run run, long expected) {
    var histogram = new Histogram(3);
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (List<String> lines : run.byProcess().values()) {
      samples(lines).forEach(histogram::recordValue);
      for (String line : lines) {
        if (line.startsWith("span ")) {
          String[] f = line.split(" ");
          start = Math.min(start, Long.parseLong(f[1]));
          end = Math.max(end, Long.parseLong(f[2]));
        }
      }
    }
    if (histogram.getTotalCount() != expected) {
      throw new IllegalStateException(
          "expected " + expected + " samples, got " + histogram.getTotalCount());
    }
    return new Calls(histogram, histogram.getTotalCount(), start, end);
  }

  /**
   * {@code warmup} untimed, then {@code reps} timed calls that each stream {@code count} partial
   * results of {@code size} bytes.
   */
  Histogram stream(int warmup, int reps, int count, int size) {
    return histogram(run(true, echoApp(1, "stream", warmup, reps, count, size)), reps);
  }

  /** Worker spawns from the caller's already compiled module, to the worker's first message. */
  Histogram spawn(int warmup, int n) {
    String toml =
        """
        app = "bench-spawn"
        [program.caller]
        wasm = "caller.wasm"
        role = "main"
        args = ["spawn", "%d", "%d"]
        [program.caller.limits]
        max_workers = 1024
        """
            .formatted(warmup, n);
    return histogram(run(true, toml), n);
  }

  /** Nanoseconds to load, validate and compile {@code module} in a fresh kernel. */
  long compile(String module) {
    Manifest m =
        manifest(
            """
            app = "bench-compile"
            [program.p]
            wasm = "%s"
            role = "main"
            """
                .formatted(module));
    try (Kernel kernel = Kernel.builder().build()) {
      long t0 = System.nanoTime();
      kernel.verify(m);
      return System.nanoTime() - t0;
    }
  }

  /** Heap in use after GC per idle process, in bytes, with {@code count} of them running. */
  double idleHeapPerProcess(int count) throws InterruptedException {
    var ready = new AtomicInteger();
    Manifest m =
        manifest(
            """
            app = "bench-idle"
            [program.idle]
            wasm = "idle.wasm"
            role = "main"
            """);
    Kernel.Output output = (process, stderr, line) -> ready.incrementAndGet();
    try (Kernel kernel = Kernel.builder().output(output).build()) {
      kernel.launch(m); // compiles the module and warms the launch path
      awaitCount(ready, 1);
      long before = heapAfterGc();
      for (int i = 0; i < count; i++) {
        kernel.launch(m);
      }
      awaitCount(ready, count + 1);
      long after = heapAfterGc();
      return (after - before) / (double) count;
    }
  }

  /**
   * Runs a program that prints a "compute ..." line and returns that line. The fresh kernel loads
   * (compiles) the module first, then {@code loaded} runs, then the program starts.
   */
  String compute(Path wasm, Loaded loaded) {
    String toml =
        """
        app = "bench-compute"
        [program.compute]
        wasm = "%s"
        role = "main"
        """
            .formatted(wasm.toAbsolutePath());
    var run = run(Kernel.builder().cpuWatchdog(true), toml, loaded);
    return run.byProcess().values().stream()
        .flatMap(List::stream)
        .filter(l -> l.startsWith("compute "))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(wasm + " printed no result: " + run.lines));
  }

  // ---- running apps ----

  private static String echoApp(int callers, Object... args) {
    var quoted = new StringBuilder();
    for (Object a : args) {
      quoted.append(quoted.isEmpty() ? "" : ", ").append('"').append(a).append('"');
    }
    return """
    app = "bench-calls"
    [program.echo]
    wasm = "echo.wasm"
    role = "service"
    exports = ["%s"]
    [program.caller]
    wasm = "caller.wasm"
    role = "main"
    requires = ["%s"]
    args = [%s]
    replicas = %d
    """
        .formatted(SERVICE, SERVICE, quoted, callers);
  }

  /** Everything an app's processes printed, by process. */
  private record Run(List<String> lines) {
    Map<String, List<String>> byProcess() {
      Map<String, List<String>> map = new HashMap<>();
      for (String l : lines) {
        int space = l.indexOf(' ');
        map.computeIfAbsent(l.substring(0, space), k -> new ArrayList<>())
            .add(l.substring(space + 1));
      }
      return map;
    }
  }

  /** What runs between a kernel's loading an app's modules and its starting the app. */
  @FunctionalInterface
  interface Loaded {
    void run() throws InterruptedException;
  }

  private Run run(boolean watchdog, String toml) {
    return run(Kernel.builder().cpuWatchdog(watchdog), toml);
  }

  private Run run(Kernel.Builder builder, String toml) {
    return run(builder, toml, () -> {});
  }

  /** Launches an app in a fresh kernel and waits for its mains; a failing guest fails the run. */
  private Run run(Kernel.Builder builder, String toml, Loaded loaded) {
    List<String> lines = new CopyOnWriteArrayList<>();
    Kernel.Output output = (process, stderr, line) -> lines.add(process + " " + line);
    try (Kernel kernel = builder.output(output).build()) {
      Manifest manifest = manifest(toml);
      // Compiles the modules, which launch then finds compiled.
      kernel.verify(manifest);
      loaded.run();
      App app = kernel.launch(manifest);
      Optional<Integer> code = app.awaitMains(RUN_LIMIT);
      if (code.isEmpty() || code.get() != 0) {
        throw new IllegalStateException(
            "benchmark app "
                + app.name()
                + " ended with "
                + code.map(String::valueOf).orElse("a timeout")
                + ": "
                + lines);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return new Run(lines);
  }

  private Manifest manifest(String toml) {
    return Manifest.parse(toml, guests.resolve("bench-app.toml"));
  }

  private static Histogram histogram(Run run, int expected) {
    var h = new Histogram(3);
    run.byProcess().values().forEach(lines -> samples(lines).forEach(h::recordValue));
    if (h.getTotalCount() != expected) {
      throw new IllegalStateException(
          "expected " + expected + " samples, got " + h.getTotalCount());
    }
    return h;
  }

  private static LongStream samples(List<String> lines) {
    return lines.stream()
        .filter(l -> l.startsWith("samples "))
        .flatMapToLong(l -> LongStream.of(parseLongs(l.substring("samples ".length()))));
  }

  private static long[] parseLongs(String s) {
    String[] f = s.trim().split(" ");
    long[] v = new long[f.length];
    for (int i = 0; i < f.length; i++) {
      v[i] = Long.parseLong(f[i]);
    }
    return v;
  }

  private static void awaitCount(AtomicInteger counter, int count) throws InterruptedException {
    long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
    while (counter.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + counter.get() + " of " + count + " processes started");
      }
      Thread.sleep(10);
    }
  }

  static long heapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
