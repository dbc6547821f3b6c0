package dev.parigot.kernel.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.EventKind;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.spi.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The harness of the ABI conformance suite: apps whose programs all run the scripted guest {@code
 * conf-script} (see its source for the commands), next to the Java services {@link Probe}, {@link
 * Gate} and {@link Hold}, which every program may locate.
 *
 * <p>A test lists each program's commands, launches, then reads what each program reported, in
 * order: {@link Guest#result} for a command's value and {@link Guest#event} for an event it read.
 */
final class Conf {
  /** Who Java-made calls come from. */
  private static final Caller JAVA_CALLER = new Caller("test", "java", 0);

  /** The service name the conformance programs export. */
  static final String SVC = "conf.v1.Svc";

  private static final String MODULE = "conf-script";

  private final Path dir;
  private final List<Program> programs = new ArrayList<>();
  private String appLimits = "";
  private Clock clock = Clock.system();

  private Conf(Path dir) {
    this.dir = dir;
  }

  static Conf app(Path dir) {
    return new Conf(dir);
  }

  /** Runs the kernel on {@code clock}, which the test advances: for deadlines. */
  Conf clock(ManualClock clock) {
    this.clock = clock;
    return this;
  }

  /** Limits for every program, as TOML keys, e.g. {@code "max_message_bytes = 64"}. */
  Conf limits(String toml) {
    appLimits = toml;
    return this;
  }

  /** Adds a program running {@code commands}; it exports nothing and requires the test services. */
  Program program(String name, String... commands) {
    var p = new Program(name, programs.size() + 1, List.of(commands));
    programs.add(p);
    return p;
  }

  /** The data bytes the script sends: "abc...z" repeated, {@code len} of them. */
  static String data(int len) {
    var s = new StringBuilder();
    for (int i = 0; i < len; i++) {
      s.append((char) ('a' + i % 26));
    }
    return s.toString();
  }

  /** One program of the app. */
  final class Program {
    private final String name;
    private final int id;
    private final List<String> commands;
    private final List<String> exports = new ArrayList<>();
    private final List<String> requires =
        new ArrayList<>(List.of(Probe.NAME, Gate.NAME, Hold.NAME));
    private final List<String> imports = new ArrayList<>();
    private String limits = "";
    private int replicas = 1;
    private String role;

    private Program(String name, int id, List<String> commands) {
      this.name = name;
      this.id = id;
      this.commands = commands;
    }

    Program exports(String... names) {
      exports.addAll(List.of(names));
      return this;
    }

    Program requires(String... names) {
      requires.addAll(List.of(names));
      return this;
    }

    /** Requires names served outside the app, and imports them. */
    Program imports(String... names) {
      requires.addAll(List.of(names));
      imports.addAll(List.of(names));
      return this;
    }

    /** This program's limits, as TOML keys. */
    Program limits(String toml) {
      limits = toml;
      return this;
    }

    /** The program's role; by default service if it exports names, else main. */
    Program role(String role) {
      this.role = role;
      return this;
    }

    Program replicas(int n) {
      replicas = n;
      return this;
    }

    /** Back to the app, to add another program or launch. */
    Conf and() {
      return Conf.this;
    }

    Running launch() throws IOException {
      return Conf.this.launch();
    }

    private String toml() {
      var args = new ArrayList<String>();
      args.add(Integer.toString(id));
      args.addAll(commands);
      return """
      [program.%s]
      wasm = "%s.wasm"
      role = "%s"
      exports = %s
      requires = %s
      imports = %s
      args = %s
      replicas = %d
      %s
      """
          .formatted(
              name,
              MODULE,
              role != null ? role : exports.isEmpty() ? "main" : "service",
              list(exports),
              list(requires),
              list(imports),
              list(args),
              replicas,
              limits.isEmpty() ? "" : "limits = { " + limits + " }");
    }
  }

  String toml() {
    return "app = \"conf\"\n"
        + (appLimits.isEmpty() ? "" : "limits = { " + appLimits + " }\n")
        + programs.stream().map(Program::toml).collect(Collectors.joining("\n"));
  }

  Running launch() throws IOException {
    return launch(r -> {});
  }

  /**
   * Launches the app; {@code started} gets it before any program starts ({@link Kernel#launch}
   * returns only once the providers are ready, which a test of that ordering must not wait for).
   */
  Running launch(Consumer<Running> started) throws IOException {
    Files.write(dir.resolve(MODULE + ".wasm"), module());
    Path file = dir.resolve("app.toml");
    Files.writeString(file, toml());
    var running = new Running();
    running.kernel =
        ConformanceFixture.current()
            .start(
                running.endings,
                Map.of(Probe.NAME, running.probe, Gate.NAME, running.gate, Hold.NAME, running.hold),
                clock);
    try {
      started.accept(running);
      running.app = running.kernel.launch(Manifest.load(file));
    } catch (RuntimeException | Error e) {
      running.close();
      throw e;
    }
    return running;
  }

  /** The scripted guest, from the test class path (scripts/build-guests builds it). */
  private static byte[] module() throws IOException {
    try (InputStream in = Conf.class.getResourceAsStream("/wat/" + MODULE + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("no /wat/" + MODULE + ".wasm; run scripts/build-guests");
      }
      return in.readAllBytes();
    }
  }

  private static String list(List<String> items) {
    return items.stream().map(Conf::quote).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** What a guest reported: a command's value, or an event it read. */
  sealed interface Step permits Result, Ev {}

  /** The value of command {@code cmd} (a syscall's result, an event count, ...). */
  record Result(int cmd, int value) implements Step {}

  /** An event record a command read, with the payload it found in its buffer. */
  record Ev(
      int cmd,
      int kind,
      int handle,
      int code,
      int service,
      int payloadOffset,
      int payloadLen,
      long reserved,
      String payload)
      implements Step {
    boolean is(EventKind k) {
      return kind == k.value();
    }
  }

  /** Asserts that {@code event} is of {@code kind}, about {@code handle}, with {@code code}. */
  static void assertEvent(Ev event, EventKind kind, int handle, int code) {
    assertThat(event.kind()).as("kind").isEqualTo(kind.value());
    assertThat(event.handle()).as("handle").isEqualTo(handle);
    assertThat(event.code()).as("code").isEqualTo(code);
  }

  /** A launched conformance app. */
  final class Running implements AutoCloseable {
    final Gate gate = new Gate();
    final Hold hold = new Hold();
    private final Probe probe = new Probe();
    private final Endings endings = new Endings();
    private Kernel kernel;
    private App app;
    private final Map<Integer, ArrayDeque<Step>> unread = new HashMap<>();

    private Running() {}

    /** The kernel under test. */
    Kernel kernel() {
      return kernel;
    }

    /** What program {@code name} reports. */
    Guest guest(String name) {
      return new Guest(find(name));
    }

    /** The live processes of a program. */
    List<ProcessInfo> processes(String name) {
      return kernel.processes().stream().filter(p -> p.program().equals(name)).toList();
    }

    /** The process of a one-replica program. */
    ProcessInfo process(String name) {
      List<ProcessInfo> ps = processes(name);
      if (ps.size() != 1) {
        throw new AssertionError("program " + name + " has " + ps.size() + " live processes");
      }
      return ps.get(0);
    }

    /** Calls {@code service} from Java, as a process would. */
    JavaCall call(String service, int method, String request) {
      var call = new JavaCall();
      kernel
          .services()
          .lookup(service)
          .orElseThrow()
          .open(JAVA_CALLER, method, request.getBytes(StandardCharsets.UTF_8), call);
      return call;
    }

    private Program find(String name) {
      return programs.stream()
          .filter(p -> p.name.equals(name))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no program " + name));
    }

    /** The next report of program {@code id}, keeping other programs' reports for them. */
    private synchronized Step next(int id, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (unread.getOrDefault(id, new ArrayDeque<>()).isEmpty()) {
        long left = deadline - System.nanoTime();
        Probe.Report r = probe.poll(Duration.ofNanos(Math.max(0, left)));
        if (r == null) {
          return null;
        }
        unread.computeIfAbsent(r.method() >> 4, k -> new ArrayDeque<>()).add(parse(r));
      }
      return unread.get(id).poll();
    }

    private Step parse(Probe.Report r) {
      var b = ByteBuffer.wrap(r.data()).order(ByteOrder.LITTLE_ENDIAN);
      int cmd = b.getInt();
      return switch (r.method() & 15) {
        case 1 -> new Result(cmd, b.getInt());
        case 2 ->
            new Ev(
                cmd,
                b.getInt(),
                b.getInt(),
                b.getInt(),
                b.getInt(),
                b.getInt(),
                b.getInt(),
                b.getLong(),
                StandardCharsets.ISO_8859_1.decode(b.slice()).toString());
        default -> throw new AssertionError("unknown report " + r.method());
      };
    }

    /** How {@code process} ended, waiting for it. */
    Endings.Ending ending(ProcessInfo process) throws InterruptedException {
      return endings.await(process.name());
    }

    /** Kills {@code process} and waits until it has ended; returns its ending. */
    Endings.Ending kill(ProcessInfo process, String reason) throws InterruptedException {
      assertThat(kernel.kill(process.pid(), reason)).as("killed " + process.name()).isTrue();
      return endings.await(process.name());
    }

    @Override
    public void close() {
      if (kernel != null) {
        kernel.close();
      }
    }

    /** The reports of one program (of all its replicas), in the order they were made. */
    final class Guest {
      private final Program program;

      private Guest(Program program) {
        this.program = program;
      }

      /** The next report, which must exist within 30 s. */
      Step next() throws InterruptedException {
        Step s = Running.this.next(program.id, Duration.ofSeconds(30));
        if (s == null) {
          throw new AssertionError(
              "program "
                  + program.name
                  + " reported nothing within 30 s; it ran "
                  + program.commands);
        }
        return s;
      }

      /** The next {@code n} reports: for replicas, whose reports interleave. */
      List<Step> next(int n) throws InterruptedException {
        var steps = new ArrayList<Step>();
        for (int i = 0; i < n; i++) {
          steps.add(next());
        }
        return steps;
      }

      /** The value of command {@code cmd}, which must be the next report. */
      int result(int cmd) throws InterruptedException {
        Step s = next();
        if (!(s instanceof Result r) || r.cmd() != cmd) {
          throw new AssertionError(
              program.name
                  + ": expected the result of command "
                  + cmd
                  + " ("
                  + program.commands.get(cmd)
                  + "), got "
                  + s);
        }
        return r.value();
      }

      /** An event read by command {@code cmd}, which must be the next report. */
      Ev event(int cmd) throws InterruptedException {
        Step s = next();
        if (!(s instanceof Ev e) || e.cmd() != cmd) {
          throw new AssertionError(
              program.name
                  + ": expected an event read by command "
                  + cmd
                  + " ("
                  + program.commands.get(cmd)
                  + "), got "
                  + s);
        }
        return e;
      }

      /** The events read by command {@code cmd}, up to and including its final END or ERROR. */
      List<Ev> drained(int cmd) throws InterruptedException {
        var events = new ArrayList<Ev>();
        Ev e;
        do {
          e = event(cmd);
          events.add(e);
        } while (!e.is(EventKind.END) && !e.is(EventKind.ERROR));
        if (result(cmd) != events.size()) {
          throw new AssertionError("drain count differs from the events reported");
        }
        return events;
      }

      /** True if the program reports nothing within {@code quiet}. */
      boolean silentFor(Duration quiet) throws InterruptedException {
        synchronized (Running.this) {
          Step s = Running.this.next(program.id, quiet);
          if (s != null) {
            unread.get(program.id).addFirst(s);
            return false;
          }
          return true;
        }
      }
    }
  }

  /** A call made from Java: records how it was answered. */
  static final class JavaCall implements Replies {
    /** One answer: an event kind, its code and payload. */
    record Answer(EventKind kind, int code, String payload) {}

    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();

    @Override
    public boolean partial(byte[] data) {
      answers.add(new Answer(EventKind.PARTIAL, 0, new String(data, StandardCharsets.UTF_8)));
      return true;
    }

    @Override
    public boolean end(byte[] data) {
      answers.add(new Answer(EventKind.END, 0, new String(data, StandardCharsets.UTF_8)));
      return true;
    }

    @Override
    public boolean fail(int code, byte[] message) {
      answers.add(new Answer(EventKind.ERROR, code, new String(message, StandardCharsets.UTF_8)));
      return true;
    }

    /** The next answer, waiting up to 30 s. */
    Answer next() throws InterruptedException {
      Answer a = answers.poll(30, TimeUnit.SECONDS);
      if (a == null) {
        throw new AssertionError("the call got no answer within 30 s");
      }
      return a;
    }

    /** True if no answer comes within {@code millis}. */
    boolean quietFor(long millis) throws InterruptedException {
      return answers.poll(millis, TimeUnit.MILLISECONDS) == null;
    }
  }
}
