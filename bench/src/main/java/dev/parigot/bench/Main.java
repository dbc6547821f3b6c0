package dev.parigot.bench;

import dev.parigot.bench.Report.Target;
import dev.parigot.kernel.spi.CallObserver;
import dev.parigot.services.KernelServices;
import dev.parigot.tracing.Tracing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The end-to-end benchmark runner, started by scripts/bench: measures every section in one JVM (the
 * JMH parts in forked JVMs), prints a Markdown table and writes JSON.
 *
 * <pre>
 * Main --root DIR [--quick] [--json FILE] [--only SECTION,...]
 * </pre>
 *
 * Sections, in the order they run: compile, coldstart, call, stream, spawn, isolation, compute,
 * services, cluster, idle. compile runs first because it measures a module's first compile in a
 * cold JVM; coldstart times whole {@code parigot} processes; idle runs last because it leaves the
 * most garbage behind.
 */
public final class Main {
  private static final List<String> SECTIONS =
      List.of(
          "compile",
          "coldstart",
          "call",
          "stream",
          "spawn",
          "isolation",
          "compute",
          "services",
          "cluster",
          "tracing",
          "idle");

  private final boolean quick;
  private final Path root;
  private final Report report = new Report();
  private final GuestBench guests;

  private Main(boolean quick, Path root) {
    this.quick = quick;
    this.root = root;
    this.guests = new GuestBench(root.resolve("bench/guests"));
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Path root = Path.of(".");
    Path json = null;
    Set<String> only = new LinkedHashSet<>(SECTIONS);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--root" -> root = Path.of(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--only" -> {
          only = new LinkedHashSet<>(List.of(args[++i].split(",")));
          if (!SECTIONS.containsAll(only)) {
            throw new IllegalArgumentException("sections are " + SECTIONS + ", not " + only);
          }
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    root = root.toAbsolutePath().normalize();
    if (json == null) {
      json = root.resolve("bench/target/results.json");
    }
    var main = new Main(quick, root);
    main.describeMachine();
    for (String section : SECTIONS) {
      if (only.contains(section)) {
        System.err.println("bench: == " + section);
        main.run(section);
      }
    }
    main.report.machine("load average at end", loadAverage());
    main.report.printTable(System.out);
    main.report.writeJson(json);
    System.err.println("bench: wrote " + json);
  }

  private void run(String section) throws Exception {
    switch (section) {
      case "compile" -> compile();
      case "coldstart" -> coldstart();
      case "call" -> call();
      case "stream" -> stream();
      case "spawn" -> spawn();
      case "isolation" -> isolation();
      case "compute" -> compute();
      case "services" -> services();
      case "cluster" -> cluster();
      case "tracing" -> tracing();
      case "idle" -> idle();
      default -> throw new IllegalArgumentException(section);
    }
  }

  private void describeMachine() throws IOException {
    report.machine("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    report.machine("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    report.machine(
        "jdk",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    report.machine("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    report.machine("max heap", Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
    report.machine("mode", quick ? "quick (smoke run: too short to quote)" : "full");
    report.machine("load average at start", loadAverage());
  }

  private static String loadAverage() throws IOException {
    Path proc = Path.of("/proc/loadavg");
    return Files.exists(proc) ? Files.readString(proc).trim() : "unknown";
  }

  // ---- sections ----

  private void compile() {
    // echo.wasm first: its number includes warming the compiler in a cold JVM.
    report.add(
        "compile.echo.cold",
        "load+compile echo.wasm (1.5 KB), cold JVM",
        guests.compile("echo.wasm") / 1e6,
        "ms");
    report.add(
        "compile.caller",
        "load+compile caller.wasm (33 KB)",
        guests.compile("caller.wasm") / 1e6,
        "ms");
  }

  private void coldstart() throws Exception {
    Path built = root.resolve("bench/target/coldstart");
    Path work = built.resolve("runs");
    deleteTree(work);
    var starts = new ColdStart(root, root.resolve("bench/node/run-wasi.mjs"), work);
    starts.prepare();
    int reps = quick ? 3 : 7;
    Path emptyWasm = built.resolve("empty.wasm");
    coldRows(
        "empty",
        "parigot run, an empty main",
        starts.run(starts.wasiApp("empty", emptyWasm, ""), reps),
        350);
    // Not a WASI command (it calls a service through the kernel): no node row.
    var hello =
        new ColdStart.Program(
            "hello", root.resolve("examples/hello/app.toml"), null, "Hello, parigot!");
    coldRows("hello", "parigot run examples/hello/app.toml", starts.run(hello, reps), 600);
    Path largeWasm = built.resolve("large.wasm");
    String what =
        String.format(
            Locale.ROOT, "parigot run, a generated %.1f MB C module", Files.size(largeWasm) / 1e6);
    var large =
        starts.run(starts.wasiApp("large", largeWasm, starts.nodeOutput(largeWasm)), quick ? 1 : 3);
    coldRows("large", what, large, Double.NaN);
    report.add(
        "coldstart.large.warm/cold",
        "large module: start with the cache warm / cold (medians)",
        100 * large.warm().median() / large.cold().median(),
        "%",
        Target.atMost(10),
        "");
  }

  /** The rows of one program: cache cold, cache warm (with its target, if any), node. */
  private void coldRows(String name, String what, ColdStart.Result r, double warmTargetMs) {
    coldRow(name + ".cold", what + ", compiled-module cache empty", r.cold(), null);
    coldRow(
        name + ".warm",
        what + ", compiled-module cache warm",
        r.warm(),
        Double.isNaN(warmTargetMs) ? null : Target.atMost(warmTargetMs));
    if (!r.node().ms().isEmpty()) {
      coldRow(name + ".node", what.replace("parigot run", "node's WASI"), r.node(), null);
    }
  }

  private void coldRow(String id, String what, ColdStart.Times t, Target target) {
    report.add(
        "coldstart." + id,
        String.format(
            Locale.ROOT,
            "%s, wall (median of %d, range %s-%s)",
            what,
            t.ms().size(),
            Report.number(t.min()),
            Report.number(t.max())),
        t.median(),
        "ms",
        target,
        "");
  }

  /**
   * What tracing costs a call: the 64 B C-to-C round trip without an observer and with every call
   * an OpenTelemetry span (the SDK's batch processor, into an exporter that drops them), in turn,
   * three rounds each.
   */
  private void tracing() {
    int warmup = quick ? 2_000 : 20_000;
    int n = quick ? 5_000 : 100_000;
    var p50 = new java.util.HashMap<Boolean, List<Double>>();
    var rate = new java.util.HashMap<Boolean, List<Double>>();
    for (int round = 0; round < 3; round++) {
      for (boolean on : new boolean[] {false, true}) {
        GuestBench.Calls c;
        if (on) {
          try (Tracing tracing = Tracing.to(new DroppingExporter())) {
            c = guests.observedCalls(tracing, 1, warmup, n);
          }
        } else {
          c = guests.observedCalls(CallObserver.NONE, 1, warmup, n);
        }
        p50.computeIfAbsent(on, k -> new ArrayList<>())
            .add(c.histogram().getValueAtPercentile(50) / 1e3);
        rate.computeIfAbsent(on, k -> new ArrayList<>()).add(c.perSecond());
      }
    }
    for (boolean on : new boolean[] {false, true}) {
      String what = on ? "tracing on (every call a span)" : "tracing off";
      report.add(
          "trace." + (on ? "on" : "off") + ".p50",
          "64 B call round trip, C to C, " + what + ", p50 (median of 3)",
          median(p50.get(on)),
          "us");
      report.add(
          "trace." + (on ? "on" : "off") + ".rate",
          "calls/s, one C caller, " + what + " (median of 3)",
          median(rate.get(on)),
          "calls/s");
    }
  }

  private void call() throws Exception {
    int warmup = quick ? 2_000 : 20_000;
    Histogram one = guests.calls(1, warmup, quick ? 5_000 : 100_000, true, true).histogram();
    var jmh = new JmhRuns(quick, jmhLogs());
    var floor = jmh.latency(HandoffBenchmark.class, true);
    var grpc = jmh.latency(GrpcBenchmark.class, false);
    double p50 = one.getValueAtPercentile(50) / 1e3;
    report.add(
        "call.kernel.p50", "64 B call round trip, C to C, p50", p50, "us", Target.atMost(5), "");
    report.add(
        "call.kernel.p99",
        "64 B call round trip, C to C, p99",
        one.getValueAtPercentile(99) / 1e3,
        "us");
    report.add(
        "call.floor.p50", "virtual-thread hand-off round trip, p50", floor.p50() / 1e3, "us");
    report.add(
        "call.floor.p99", "virtual-thread hand-off round trip, p99", floor.p99() / 1e3, "us");
    report.add("call.grpc.p50", "gRPC-java loopback round trip, p50", grpc.p50() / 1e3, "us");
    report.add("call.grpc.p99", "gRPC-java loopback round trip, p99", grpc.p99() / 1e3, "us");
    report.add("call.kernel/floor.p50", "kernel p50 / floor p50", p50 * 1e3 / floor.p50(), "x");
    report.add("call.kernel/grpc.p50", "kernel p50 / gRPC p50", p50 * 1e3 / grpc.p50(), "x");
    int total = quick ? 8_000 : 480_000;
    for (int callers : new int[] {1, 4, 16}) {
      // Each row is the median of three apps: one run's rate moves with the machine's load.
      List<Double> rates = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        rates.add(guests.calls(callers, warmup / callers, total / callers, true, true).perSecond());
      }
      report.add(
          "calls.kernel." + callers,
          "calls/s, one C server, " + callers + " C caller(s) (median of 3)",
          median(rates),
          "calls/s",
          callers > 1 ? Target.atLeast(250_000) : null,
          "");
    }
    for (int callers : new int[] {1, 4, 16}) {
      report.add(
          "calls.floor." + callers,
          "calls/s, virtual-thread hand-off to one server, " + callers + " caller(s)",
          jmh.throughput(HandoffBenchmark.class, callers, true),
          "calls/s");
      report.add(
          "calls.grpc." + callers,
          "calls/s, gRPC-java server, " + callers + " blocking client thread(s)",
          jmh.throughput(GrpcBenchmark.class, callers, false),
          "calls/s");
    }
  }

  private void cluster() throws Exception {
    try (var bench =
        new ClusterBench(root.resolve("bench/guests"), root.resolve("bench/target/cluster"))) {
      // As the one-kernel rows: enough untimed calls that each new kernel's guest code and the
      // kernels' paths are compiled by C2 before the timed ones (docs/benchmarks.md).
      int warmup = quick ? 500 : 20_000;
      int n = quick ? 2_000 : 20_000;
      Histogram raw = bench.rawRequestReply(warmup, n);
      Histogram guest = bench.calls(1, warmup, n, List.of("b")).histogram();
      report.add(
          "cluster.raw.p50",
          "raw jnats request/reply, 64 B, p50",
          raw.getValueAtPercentile(50) / 1e3,
          "us");
      report.add(
          "cluster.call.p50",
          "64 B call, C guest to C guest on two kernels over NATS, p50",
          guest.getValueAtPercentile(50) / 1e3,
          "us",
          Target.atMost(raw.getValueAtPercentile(50) / 1e3 + 50),
          "raw + 50 us");
      report.add("cluster.call.p99", "the same, p99", guest.getValueAtPercentile(99) / 1e3, "us");
      int total = quick ? 6_400 : 64_000;
      bench.rawQueueGroup(3, 64, total);
      // Medians of three, the anchor and the row taking turns: one run of either moves with the
      // machine by more than the gap the target is about.
      List<Double> rawRates = new ArrayList<>();
      List<Double> rates = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        rawRates.add(bench.rawQueueGroup(3, 64, total));
        var calls = bench.calls(64, total / 64, total / 64, List.of("b", "c", "d"));
        rates.add(calls.perSecond());
        System.err.printf(
            Locale.ROOT,
            "bench: cluster round %d: raw %.0f/s, 64 callers %.0f/s (%.0f/s over the whole span)%n",
            round + 1,
            rawRates.get(round),
            calls.perSecond(),
            calls.overSpan());
      }
      double rawRate = median(rawRates);
      report.add(
          "cluster.raw.queue",
          "raw NATS, 64 in flight to 3 responders in a queue group (median of 3)",
          rawRate,
          "calls/s");
      report.add(
          "cluster.calls.64",
          "calls/s, 64 C callers on one kernel to 3 replicas on 3 kernels, while all call (median"
              + " of 3)",
          median(rates),
          "calls/s",
          Target.atLeast(0.8 * rawRate),
          "80% of raw");
      int count = 10_000;
      double rawStream = bench.rawStream(count, 1024);
      Histogram stream = bench.stream(quick ? 2 : 10, quick ? 3 : 10, count, 1024);
      double perSecond = count / (stream.getValueAtPercentile(50) / 1e9);
      report.add(
          "cluster.raw.stream", "raw publish of 10,000 x 1 KiB to an inbox", rawStream, "msgs/s");
      report.add(
          "cluster.stream",
          "partial results/s, 10,000 x 1 KiB to a C caller over NATS (p50 of the calls), none lost",
          perSecond,
          "results/s",
          Target.atLeast(0.5 * rawStream),
          "50% of raw");
      // The caller dies at the first result missing or out of order, so a row means none lost.
      Histogram slow = bench.slowStream(1, quick ? 1 : 3, count, 1024, 50);
      report.add(
          "cluster.stream.slow",
          "the same to a slow C caller (one result per wait, each checksummed 50 times), none lost",
          count / (slow.getValueAtPercentile(50) / 1e9),
          "results/s");
    }
  }

  private void stream() {
    int count = 10_000;
    // Warmed up as calls are: without it the p50 was 9-40 ms run to run (the stream's own kernel
    // path and the fresh guests still compiling), with 40 streams first 1.8-4.4 ms.
    Histogram h = guests.stream(quick ? 2 : 40, quick ? 3 : 20, count, 1024);
    double ms = h.getValueAtPercentile(50) / 1e6;
    report.add("stream.kernel.p50", "10,000 partial results of 1 KiB, one call, p50", ms, "ms");
    report.add(
        "stream.kernel.rate", "partial results/s at that p50", count / (ms / 1e3), "results/s");
  }

  private void spawn() {
    Histogram h = guests.spawn(quick ? 20 : 200, quick ? 100 : 2_000);
    report.add(
        "spawn.kernel.p50",
        "spawn a worker from a compiled module, to its first syscall, p50",
        h.getValueAtPercentile(50) / 1e3,
        "us",
        Target.atMost(250),
        "");
    report.add("spawn.kernel.p99", "the same, p99", h.getValueAtPercentile(99) / 1e3, "us");
  }

  private void isolation() {
    int warmup = quick ? 2_000 : 10_000;
    int n = quick ? 5_000 : 50_000;
    // The three settings in turn, three rounds, medians: the machine's load moves all alike.
    String[] names = {"on", "no-deadline", "off"};
    String[] whats = {
      "scheduler on, default deadline", "scheduler on, no deadline", "scheduler off, no deadline"
    };
    List<List<Double>> p50 = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    List<List<Double>> rate = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 3; i++) {
        var calls = guests.calls(1, warmup, n, i < 2, i == 0);
        p50.get(i).add(calls.histogram().getValueAtPercentile(50) / 1e3);
        rate.get(i).add(calls.perSecond());
      }
    }
    for (int i = 0; i < 3; i++) {
      report.add(
          "isolation." + names[i] + ".p50",
          "call p50, " + whats[i] + " (median of 3)",
          median(p50.get(i)),
          "us");
      report.add(
          "isolation." + names[i] + ".calls",
          "calls/s, 1 caller, " + whats[i] + " (median of 3)",
          median(rate.get(i)),
          "calls/s");
    }
  }

  /** The middle value of an odd number of values. */
  static <T extends Comparable<T>> T median(List<T> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  private void compute() throws Exception {
    var compute =
        new Compute(
            root.resolve("bench/guests/compute"),
            root.resolve("bench/target/native"),
            root.resolve("bench/node/run-wasi.mjs"),
            guests);
    List<Double> kernel = new ArrayList<>();
    List<Double> node = new ArrayList<>();
    for (String program : Compute.PROGRAMS) {
      var r = compute.run(program);
      double k = (double) r.kernelNs() / r.nativeNs();
      double v = (double) r.nodeNs() / r.nativeNs();
      kernel.add(k);
      node.add(v);
      report.add(
          "compute." + program + ".native",
          program + ": native gcc -O2, median",
          r.nativeNs() / 1e6,
          "ms");
      report.add("compute." + program + ".node", program + ": node (V8) / native", v, "x");
      report.add("compute." + program + ".kernel", program + ": kernel (Chicory) / native", k, "x");
    }
    report.add("compute.geomean.node", "geometric mean, node / native", Compute.geomean(node), "x");
    report.add(
        "compute.geomean.kernel",
        "geometric mean, kernel / native",
        Compute.geomean(kernel),
        "x",
        Target.atMost(1.5),
        "");
  }

  private void services() throws Exception {
    // A fresh store each run: what an earlier run left would change what get and receive find.
    Path data = root.resolve("bench/target/services-data");
    deleteTree(data);
    report.machine(
        "services data",
        data + " (" + Files.getFileStore(Files.createDirectories(data)).type() + ")");
    int warmup = quick ? 20 : 200;
    int total = quick ? 200 : 2_000;
    try (var services = KernelServices.builder().dataDir(data).output((p, e, l) -> {}).build()) {
      var java = new ServiceCalls(services);
      for (int callers : new int[] {1, 4}) {
        // In this order: get reads what put wrote, receive takes what send queued.
        for (String op : List.of("put", "get", "send", "receive")) {
          String name = op.equals("put") || op.equals("get") ? "kv." + op : "queue." + op;
          serviceRows(
              name,
              "guest",
              "C guest through the kernel",
              callers,
              guests.services(services, op, callers, warmup / callers, total / callers));
          serviceRows(
              name,
              "java",
              "Java through the Provider SPI",
              callers,
              java.run(op, callers, warmup / callers, total / callers));
        }
      }
    }
    // The same Java calls with kv and queue on JetStream, as a cluster keeps them.
    Path nats = root.resolve("bench/target/services-nats");
    deleteTree(nats);
    try (var js = JetStream.start(nats, ServiceCalls.APP);
        var services =
            KernelServices.builder()
                .dataDir(data)
                .output((p, e, l) -> {})
                .stores(js.kv(), js.queue())
                .build()) {
      report.machine("services nats", "nats-server -js, file store in " + nats);
      var java = new ServiceCalls(services);
      for (int callers : new int[] {1, 4}) {
        for (String op : List.of("put", "get", "send", "receive")) {
          String name = op.equals("put") || op.equals("get") ? "kv." + op : "queue." + op;
          serviceRows(
              name,
              "jetstream",
              "Java through the Provider SPI, on JetStream",
              callers,
              java.run(op, callers, warmup / callers, total / callers));
        }
      }
    }
  }

  private void serviceRows(
      String name, String path, String how, int callers, GuestBench.Calls calls) {
    String id = "services." + name + "." + path + "." + callers;
    String what = name + ", " + how + ", " + callers + " caller(s)";
    report.add(id, what + ", ops/s", calls.perSecond(), "ops/s");
    report.add(id + ".p50", what + ", p50", calls.histogram().getValueAtPercentile(50) / 1e3, "us");
    report.add(id + ".p99", what + ", p99", calls.histogram().getValueAtPercentile(99) / 1e3, "us");
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private void idle() throws InterruptedException {
    int count = quick ? 1_000 : 10_000;
    double perProcess = guests.idleHeapPerProcess(count);
    report.add(
        "idle.heap.per-process",
        "heap after GC per idle C process (" + count + " running)",
        perProcess / 1024,
        "KiB");
    report.add(
        "idle.heap.10000",
        "heap for 10,000 idle processes" + (count == 10_000 ? "" : " (projected)"),
        perProcess * 10_000 / (1 << 20),
        "MiB",
        Target.atMost(2048),
        "");
  }

  private Path jmhLogs() throws IOException {
    return Files.createDirectories(root.resolve("bench/target/jmh"));
  }
}
