package dev.parigot.cli;

import dev.parigot.cluster.ClusterSection;
import dev.parigot.errors.ParigotException;
import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.host.RunningTests;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Role;
import dev.parigot.protoc.ParigotGen;
import dev.parigot.services.KernelNames;
import dev.parigot.services.KernelServices;
import dev.parigot.services.TestReport;
import dev.parigot.tracing.Tracing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code parigot} command. */
@Command(
    name = "parigot",
    mixinStandardHelpOptions = true,
    version = "parigot 0.1.0 (ABI v1)",
    description = "An operating system for WebAssembly services.",
    // --help and --version on every command: `parigot run --help` is no missing APP.toml.
    scope = CommandLine.ScopeType.INHERIT,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:a test failed (test), a .proto was refused (gen)",
      "2:the manifest, a module or the command line was refused",
      "3:parigot itself failed (a bug, the JVM out of memory)",
      "4:the HTTP address or the data directory is in use by another process",
      "5:a program ended while starting (run)",
      "70:the app failed: a service needed more restarts than its policy allows (run)",
      "137:a main program was killed by the kernel (run, exec)",
      "N:run exits with the first non-zero exit code of its main programs"
    },
    subcommands = {
      Main.Run.class,
      Main.Check.class,
      Main.Test.class,
      Main.Gen.class,
      Main.Logs.class,
      CacheCommand.class,
      NewCommand.class,
      DevCommand.class,
      ClusterCommand.class,
      ExecCommand.class,
      PsCommand.class,
      TopCommand.class,
      UpgradeCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for a manifest or module that was refused. */
  static final int REFUSED = 2;

  /** Exit code for a failure of parigot itself, e.g. the JVM out of memory: never a refusal. */
  static final int FAILED = 3;

  // Held so the configured level is not lost when java.util.logging drops unreferenced loggers.
  private static final Logger PARIGOT_LOGGER = Logger.getLogger("dev.parigot");

  @Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(
        execute(
            args,
            new PrintWriter(System.out, true, StandardCharsets.UTF_8),
            new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
  }

  /**
   * Runs a command line, writing to {@code out} and {@code err}: its exit code. {@code run
   * APP.toml}, what users start most, skips building picocli's model of every command, about a
   * quarter of a second of a start (docs/benchmarks.md); any other command line, an option
   * included, goes through picocli, which also explains mistakes.
   */
  static int execute(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length == 2 && args[0].equals("run") && !args[1].startsWith("-")) {
      Path manifest;
      try {
        manifest = Path.of(args[1]);
      } catch (InvalidPathException e) {
        manifest = null;
      }
      if (manifest != null) {
        try {
          return Run.run(manifest, false, out, err);
        } catch (Exception | Error e) {
          err.println("parigot: failed: " + e);
          err.flush();
          return FAILED;
        }
      }
    }
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    return cli.setExecutionStrategy(parsed -> {
      try {
        return new CommandLine.RunLast().execute(parsed);
      } catch (CommandLine.ExecutionException e) {
        return failed(cli, e.getCause() == null ? e : e.getCause());
      } catch (Error e) {
        return failed(cli, e);
      }
    });
  }

  /** One line for what nothing refused and reported: no stack trace. */
  private static int failed(CommandLine cli, Throwable e) {
    cli.getErr().println("parigot: failed: " + e);
    cli.getErr().flush();
    return FAILED;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a command: run, check, test, gen, logs, cache, new or dev");
  }

  @Command(
      name = "run",
      description =
          "Runs an app. Exits when every main program has ended, with the first non-zero exit"
              + " code; an app without main serves until interrupted.")
  static final class Run implements Callable<Integer> {
    @Parameters(paramLabel = "APP.toml", description = "The app's manifest.")
    Path manifest;

    @Option(
        names = {"-v", "--verbose"},
        description = "Show process life cycle.")
    boolean verbose;

    @Mixin DataDirOption dataDir;

    @Mixin ListenOption listen;

    @Option(
        names = "--node",
        paramLabel = "NAME",
        description = "Run node NAME of an app whose manifest has [cluster]: its programs only.")
    String node;

    @Option(
        names = "--admin",
        paramLabel = "PORT",
        description =
            "Serve the admin endpoint (ps, top, metrics, dashboard) on 127.0.0.1:PORT; 0 picks a"
                + " free port.")
    Integer admin;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      if (admin != null && (admin < 0 || admin > 65535)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--admin must be a port from 0 to 65535, not " + admin);
      }
      if (node != null) {
        return ClusterCommand.runNode(
            manifest,
            node,
            listen,
            spec.commandLine(),
            verbose,
            spec.commandLine().getOut(),
            spec.commandLine().getErr());
      }
      return run(
          manifest,
          dataDir,
          listen,
          spec.commandLine(),
          verbose,
          Optional.ofNullable(admin),
          spec.commandLine().getOut(),
          spec.commandLine().getErr());
    }

    static int run(Path manifest, boolean verbose, PrintWriter out, PrintWriter err)
        throws InterruptedException {
      return run(
          manifest,
          new DataDirOption(),
          new ListenOption(),
          null,
          verbose,
          Optional.empty(),
          out,
          err);
    }

    static int run(
        Path manifest,
        DataDirOption dataDir,
        ListenOption listen,
        CommandLine cli,
        boolean verbose,
        Optional<Integer> admin,
        PrintWriter out,
        PrintWriter err)
        throws InterruptedException {
      configureLogging(verbose);
      try {
        Manifest m = dataDir.load(manifest, Optional.empty());
        // ClusterSection is loaded with the manifest sections; nothing of NATS is, here.
        if (m.section(ClusterSection.KEY).isPresent()) {
          err.println(
              "parigot: "
                  + manifest
                  + " has [cluster]: run each node with parigot run "
                  + manifest
                  + " --node NAME");
          return REFUSED;
        }
        AppHost.Builder builder = listen.apply(AppHost.builder(m), m, cli);
        admin.ifPresent(builder::admin);
        // Only asked for when set: the OpenTelemetry SDK costs start-up time to load.
        Optional<Tracing> tracing =
            System.getenv("PARIGOT_TRACES") == null
                ? Optional.empty()
                : Tracing.fromEnvironment(System.getenv());
        tracing.ifPresent(builder::tracer);
        AppHost host =
            builder
                .output(out, err)
                .engine(CompileProgress.forCommand(verbose, err))
                // Straight to stderr: the JVM's logging is being reset by then.
                .closeOnShutdown(() -> {
                  err.println("parigot: interrupted; stopping the app");
                  err.flush();
                })
                .build();
        // The app closes first, then the tracer exports what it still holds.
        try (Tracing spans = tracing.orElse(null);
            RunningApp app = host.start()) {
          app.httpAddress()
              .ifPresent(a -> {
                String ip = a.getAddress().getHostAddress();
                err.println(
                    "parigot: app '"
                        + app.name()
                        + "' serves HTTP on http://"
                        + (ip.contains(":") ? "[" + ip + "]" : ip)
                        + ":"
                        + a.getPort()
                        + "/");
                err.flush();
              });
          app.adminAddress().ifPresent(a -> AdminNotice.print(app, host.manifest(), a, err));
          return app.awaitMains();
        }
      } catch (ParigotException e) {
        err.println("parigot: " + e.getMessage());
        return ExitCodes.of(e);
      }
    }
  }

  @Command(
      name = "check",
      description = "Checks an app's manifest and modules without running anything.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "APP.toml", description = "The app's manifest.")
    Path manifest;

    @Option(
        names = {"-v", "--verbose"},
        description = "Show where each module came from (the module cache or a compile).")
    boolean verbose;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      configureLogging(verbose);
      PrintWriter err = spec.commandLine().getErr();
      // The kernel services' names, as run serves them, but none of their data opened.
      try (Kernel kernel =
          KernelNames.declare(Kernel.builder().engine(CompileProgress.forCommand(verbose, err)))
              .build()) {
        Manifest m = Manifest.load(manifest);
        // As run: a test program's module is checked once built, and run does not need it.
        Predicate<ProgramSpec> unbuilt = p -> p.role() == Role.TEST && !Files.exists(p.wasm());
        m.programs().stream()
            .filter(unbuilt)
            .forEach(p ->
                spec.commandLine()
                    .getOut()
                    .println(
                        manifest
                            + ": note: test program '"
                            + p.name()
                            + "': "
                            + p.wasm()
                            + " is not built yet; parigot test needs it"));
        kernel.verify(m, unbuilt.negate());
        spec.commandLine()
            .getOut()
            .println(manifest + ": ok (" + m.programs().size() + " programs)");
        return 0;
      } catch (ParigotException e) {
        spec.commandLine().getErr().println("parigot: " + e.getMessage());
        return REFUSED;
      }
    }
  }

  @Command(
      name = "test",
      description =
          "Runs an app's test programs (role = \"test\") with the programs they require, prints"
              + " what they reported through parigot.test.v1.Test, and exits 1 if a case failed,"
              + " a test program exited non-zero or was killed, or reported nothing.")
  static final class Test implements Callable<Integer> {
    @Parameters(paramLabel = "APP.toml", description = "The app's manifest.")
    Path manifest;

    @Option(
        names = "--junit-xml",
        paramLabel = "FILE",
        description = "Also write the results as JUnit XML to FILE.")
    Path junitXml;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        defaultValue = "600",
        description = "Kill the test programs still running after SECONDS (default: 600).")
    long timeoutSeconds;

    @Option(
        names = {"-v", "--verbose"},
        description = "Show process life cycle.")
    boolean verbose;

    @Mixin DataDirOption options;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      configureLogging(verbose);
      PrintWriter err = spec.commandLine().getErr();
      if (timeoutSeconds < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--timeout must be at least 1 second, not " + timeoutSeconds);
      }
      if (options.dataDir != null) {
        return test(Optional.empty());
      }
      // The tests' data is their own: never the data of the app running beside them.
      try (TempDir fresh = TempDir.create("parigot-test-")) {
        return test(Optional.of(fresh.path().resolve("data")));
      } catch (IOException e) {
        err.println("parigot: test: cannot make a temporary data directory: " + e.getMessage());
        return FAILED;
      }
    }

    private int test(Optional<Path> dataDir) throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        long start = System.nanoTime();
        Manifest m = options.load(manifest, dataDir);
        AppHost host =
            AppHost.builder(m)
                .output(out, err)
                .engine(CompileProgress.forCommand(verbose, err))
                .build();
        try (RunningTests tests = host.startTests()) {
          if (!tests.awaitTests(Duration.ofSeconds(timeoutSeconds))) {
            err.println(
                "parigot: test: still running after " + timeoutSeconds + " s; killing them");
          }
          TestReport report = tests.report();
          out.print(report.summary());
          out.printf(
              Locale.ROOT,
              "%s in %.1f s%n",
              report.passed() ? "ok" : "FAILED",
              (System.nanoTime() - start) / 1e9);
          out.flush();
          if (junitXml != null) {
            try {
              Files.writeString(junitXml, report.junitXml());
            } catch (IOException e) {
              err.println("parigot: test: cannot write " + junitXml + ": " + e.getMessage());
              return 1;
            }
          }
          return report.passed() ? 0 : 1;
        }
      } catch (ParigotException e) {
        err.println("parigot: " + e.getMessage());
        return ExitCodes.of(e);
      }
    }
  }

  @Command(
      name = "gen",
      description =
          "Generates code for guests from .proto files: x.pg.h and x.pg.c per x.proto (--lang"
              + " c), or x.ts (--lang as), at the proto's path below its include directory.")
  static final class Gen implements Callable<Integer> {
    @Option(
        names = "--lang",
        required = true,
        paramLabel = "LANG",
        description = "c or as (AssemblyScript).")
    String lang;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write.")
    Path out;

    @Option(
        names = {"-I", "--proto-path"},
        paramLabel = "DIR",
        description =
            "Where imports are looked for, as protoc's -I (default: the current directory).")
    List<Path> includes = new ArrayList<>();

    @Parameters(arity = "1..*", paramLabel = "FILE.proto")
    List<Path> protos;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      var language = dev.parigot.protoc.Lang.of(lang);
      if (language.isEmpty()) {
        err.println(
            "parigot: gen: unknown language "
                + lang
                + " (supported: "
                + dev.parigot.protoc.Lang.names()
                + ")");
        return REFUSED;
      }
      try {
        for (Path written : ParigotGen.generate(protos, includes, out, null, language.get())) {
          spec.commandLine().getOut().println(written);
        }
        return 0;
      } catch (ParigotGen.GenerationException | IOException e) {
        err.println("parigot: gen: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "logs",
      description =
          "Shows the log records an app's programs wrote through parigot.log.v1.Log, stored in"
              + " the app's data directory.")
  static final class Logs implements Callable<Integer> {
    /** How often --follow looks for new records. */
    private static final long FOLLOW_MILLIS = 500;

    @Parameters(paramLabel = "APP.toml", description = "The app's manifest.")
    Path manifest;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep showing new records until interrupted.")
    boolean follow;

    @Option(
        names = "--level",
        paramLabel = "LEVEL",
        defaultValue = "debug",
        description = "The lowest level shown: debug, info, warn or error (default: debug).")
    String level;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      configureLogging(false);
      PrintWriter out = spec.commandLine().getOut();
      try {
        Manifest m = Manifest.load(manifest);
        long last = 0;
        do {
          last = KernelServices.readLogs(m.dataDir(), m.app(), last, level, out::println);
          out.flush();
          if (follow) {
            Thread.sleep(FOLLOW_MILLIS);
          }
        } while (follow);
        return 0;
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      } catch (ParigotException e) {
        spec.commandLine().getErr().println("parigot: " + e.getMessage());
        return REFUSED;
      }
    }
  }

  /** One line per record; kernel life cycle only with --verbose. */
  static void configureLogging(boolean verbose) {
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    var handler = new ConsoleHandler();
    handler.setFormatter(
        new SimpleFormatter() {
          @Override
          public String format(java.util.logging.LogRecord r) {
            return "parigot: " + formatMessage(r) + System.lineSeparator();
          }
        });
    Level level = verbose ? Level.FINE : Level.INFO;
    handler.setLevel(level);
    root.addHandler(handler);
    PARIGOT_LOGGER.setLevel(level);
  }
}
