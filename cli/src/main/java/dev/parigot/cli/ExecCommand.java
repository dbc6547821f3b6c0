package dev.parigot.cli;

import dev.parigot.engine.spi.GuestIo;
import dev.parigot.errors.ParigotException;
import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parigot exec}: runs an off-the-shelf WASI command as the one main program of an app made
 * up on the spot, with the host's stdin and its stdout and stderr passed through untouched.
 */
@Command(
    name = "exec",
    description =
        "Runs a plain WASI command (a .wasm built for wasm32-wasi) as one main program: the"
            + " directories given with --dir are all it sees of the host's files; stdin is this"
            + " command's, stdout and stderr pass through untouched. Exits with the program's exit"
            + " code (1 for one outside 0-255, 137 if the kernel killed it, 2 if it was refused).")
final class ExecCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PROG.wasm", description = "The WASI command.")
  Path wasm;

  @Parameters(
      index = "1..*",
      paramLabel = "ARG",
      description = "Its arguments (after --, so that options of its own pass through).")
  List<String> args = new ArrayList<>();

  @Option(
      names = "--dir",
      paramLabel = "GUEST=HOST[:ro]",
      description =
          "Grants host directory HOST (which must exist) as GUEST, an absolute guest path such as"
              + " /data; read-only with :ro. Repeatable.")
  List<String> dirs = new ArrayList<>();

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description = "Sets an environment variable of the program. Repeatable.")
  List<String> env = new ArrayList<>();

  @Option(
      names = {"-v", "--verbose"},
      description = "Show process life cycle.")
  boolean verbose;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Main.configureLogging(verbose);
    String toml;
    try {
      toml = manifest();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      // Resolved against the working directory, where the manifest would be; it is never written.
      Path file = Path.of("").toAbsolutePath().resolve("parigot-exec.toml");
      AppHost host =
          AppHost.builder(Manifest.parse(toml, file))
              .output(spec.commandLine().getOut(), err)
              .engine(CompileProgress.forCommand(verbose, err))
              .closeOnShutdown(() -> {
                err.println("parigot: interrupted; stopping " + wasm);
                err.flush();
              })
              .build();
      try (RunningApp app = host.start()) {
        return app.awaitMains();
      }
    } catch (ParigotException e) {
      err.println("parigot: " + e.getMessage());
      return Main.REFUSED;
    }
  }

  /** The manifest of the one-program app, from the options; checked here for clear errors. */
  String manifest() {
    if (!Files.isRegularFile(wasm)) {
      throw new IllegalArgumentException(wasm + ": no such file");
    }
    String name = programName(wasm);
    var grants = new LinkedHashMap<String, String>();
    for (String d : dirs) {
      int eq = d.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "--dir " + d + ": must be GUEST=HOST or GUEST=HOST:ro, like /data=./data");
      }
      String guest = d.substring(0, eq);
      String host = d.substring(eq + 1);
      boolean readOnly = host.endsWith(":ro");
      if (readOnly || host.endsWith(":rw")) {
        host = host.substring(0, host.length() - 3);
      }
      if (!GuestIo.Dir.validGuestPath(guest)) {
        throw new IllegalArgumentException(
            "--dir "
                + d
                + ": "
                + guest
                + " is not a guest directory path; it must be absolute, like /data");
      }
      Path path;
      try {
        path = Path.of(host).toAbsolutePath().normalize();
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException("--dir " + d + ": not a path: " + e.getReason());
      }
      if (host.isEmpty() || !Files.isDirectory(path)) {
        throw new IllegalArgumentException("--dir " + d + ": " + host + " is not a directory");
      }
      if (grants.put(guest, table(path.toString(), readOnly)) != null) {
        throw new IllegalArgumentException("--dir: " + guest + " is given twice");
      }
    }
    Map<String, String> vars = new LinkedHashMap<>();
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--env " + e + ": must be NAME=VALUE");
      }
      vars.put(e.substring(0, eq), e.substring(eq + 1));
    }
    var t = new StringBuilder();
    t.append("app = \"exec\"\n");
    t.append("[program.").append(name).append("]\n");
    t.append("wasm = ").append(quote(wasm.toAbsolutePath().toString())).append('\n');
    t.append("role = \"main\"\n");
    t.append("args = [").append(String.join(", ", args.stream().map(ExecCommand::quote).toList()));
    t.append("]\n");
    t.append("env = {");
    t.append(
        String.join(
            ",",
            vars.entrySet().stream()
                .map(v -> " " + quote(v.getKey()) + " = " + quote(v.getValue()))
                .toList()));
    t.append(" }\n");
    t.append("[program.").append(name).append(".wasi]\n");
    t.append("stdin = \"inherit\"\nstdout = \"raw\"\nstderr = \"raw\"\n");
    t.append("[program.").append(name).append(".wasi.dirs]\n");
    grants.forEach(
        (guest, value) -> t.append(quote(guest)).append(" = ").append(value).append('\n'));
    return t.toString();
  }

  private static String table(String path, boolean readOnly) {
    return "{ path = " + quote(path) + ", mode = \"" + (readOnly ? "ro" : "rw") + "\" }";
  }

  /** A program name from the file's: argv[0] as the program sees it. */
  static String programName(Path wasm) {
    String file = String.valueOf(wasm.getFileName());
    String base = file.endsWith(".wasm") ? file.substring(0, file.length() - 5) : file;
    String name = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    if (name.isEmpty() || !Character.isLetter(name.charAt(0))) {
      name = "prog-" + name;
    }
    return name.length() > 63 ? name.substring(0, 63) : name;
  }

  /** {@code s} as a TOML basic string. */
  static String quote(String s) {
    var q = new StringBuilder("\"");
    s.codePoints()
        .forEach(c -> {
          if (c == '"' || c == '\\') {
            q.append('\\').appendCodePoint(c);
          } else if (c < 0x20 || c == 0x7f) {
            q.append(String.format(Locale.ROOT, "\\u%04X", c));
          } else {
            q.appendCodePoint(c);
          }
        });
    return q.append('"').toString();
  }
}
