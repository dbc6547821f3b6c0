package dev.parigot.cli;

import dev.parigot.engine.spi.Engine;
import dev.parigot.errors.ParigotException;
import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The loop of {@code parigot dev}: runs the app, waits for a change in the manifest's directory or
 * a module's, rebuilds the modules with {@code make} where their directory has a Makefile, and
 * upgrades the service programs whose modules changed, or restarts the app if its manifest changed
 * or it has a main program. The engine, with its compiled-module cache, is the same for every
 * start, so an unchanged module is not compiled again; the data directory is the same too. A failed
 * build or a refused manifest is shown and the running version stays.
 */
final class DevLoop {
  /** How long the files must stay still before a rebuild: an editor's save is several events. */
  private static final long SETTLE_MILLIS = 200;

  private final Path manifestFile;
  private final DataDirOption dataDir;
  private final ListenOption listen;
  private final CommandLine cli;
  private final Engine engine;
  private final Map<String, String> buildEnv;
  private final PrintWriter out;
  private final PrintWriter err;
  private Optional<Manifest> manifest = Optional.empty();
  private Optional<RunningApp> running = Optional.empty();
  // What each program's module was when the app last started.
  private Map<String, String> digests = Map.of();

  /**
   * @param buildEnv variables added to make's environment
   */
  DevLoop(
      Path manifestFile,
      DataDirOption dataDir,
      ListenOption listen,
      CommandLine cli,
      Engine engine,
      Map<String, String> buildEnv,
      PrintWriter out,
      PrintWriter err) {
    this.manifestFile = manifestFile.toAbsolutePath().normalize();
    this.dataDir = dataDir;
    this.listen = listen;
    this.cli = cli;
    this.engine = engine;
    this.buildEnv = buildEnv;
    this.out = out;
    this.err = err;
  }

  /**
   * Builds and runs the app, then rebuilds and restarts it on change until interrupted.
   *
   * @return 0 once interrupted
   */
  int run() {
    try (WatchService watcher = manifestFile.getFileSystem().newWatchService()) {
      Set<Path> watched = new HashSet<>();
      load();
      build();
      restart("starting");
      watch(watcher, watched);
      while (true) {
        WatchKey key;
        try {
          key = watcher.take();
        } catch (InterruptedException | ClosedWatchServiceException e) {
          break;
        }
        Set<Path> changed = new TreeSet<>();
        collect(key, changed);
        // Until the files settle.
        while ((key = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          collect(key, changed);
        }
        changed.removeIf(DevLoop::ignored);
        if (changed.isEmpty()) {
          continue;
        }
        say("changed: " + names(changed));
        boolean manifestChanged = changed.contains(manifestFile) && load();
        boolean built = build();
        if (manifestChanged) {
          restart("the manifest changed");
        } else if (built) {
          update();
        }
        watch(watcher, watched);
      }
    } catch (InterruptedException e) {
      // Interrupted while make ran: the end, as anywhere else.
    } catch (IOException e) {
      say("cannot watch the app's files: " + e.getMessage());
      return Main.FAILED;
    } finally {
      running.ifPresent(RunningApp::close);
    }
    say("stopped");
    return 0;
  }

  /** Reads the manifest; on a refusal says why and keeps the one before. Whether it changed. */
  private boolean load() {
    try {
      manifest = Optional.of(dataDir.load(manifestFile, Optional.empty()));
      return true;
    } catch (ParigotException e) {
      err.println("parigot: " + e.getMessage());
      say("the manifest was refused; " + (running.isPresent() ? "still running" : "not running"));
      return false;
    }
  }

  /**
   * Runs make for the modules of each directory with a Makefile; on a failure shows its output.
   * Whether a module differs from the one running.
   */
  private boolean build() throws InterruptedException {
    if (manifest.isEmpty()) {
      return false;
    }
    Map<Path, List<String>> targets = new LinkedHashMap<>();
    for (ProgramSpec p : manifest.get().programs()) {
      Path dir = p.wasm().toAbsolutePath().normalize().getParent();
      if (Files.isRegularFile(dir.resolve("Makefile"))) {
        targets.computeIfAbsent(dir, d -> new ArrayList<>()).add(p.wasm().getFileName() + "");
      }
    }
    for (var target : targets.entrySet()) {
      List<String> command = new ArrayList<>(List.of("make", "-C", target.getKey().toString()));
      command.addAll(target.getValue());
      if (!make(command)) {
        say("the build failed (above); " + (running.isPresent() ? "still running" : "not running"));
        return false;
      }
    }
    return !digests().equals(digests);
  }

  private boolean make(List<String> command) throws InterruptedException {
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(buildEnv);
    Process make;
    try {
      make = builder.start();
    } catch (IOException e) {
      say("cannot run make: " + e.getMessage());
      return false;
    }
    String output;
    try (InputStream in = make.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      output = "(its output could not be read: " + e.getMessage() + ")";
    }
    if (make.waitFor() == 0) {
      return true;
    }
    output.lines().forEach(line -> err.println("make: " + line));
    err.flush();
    return false;
  }

  /**
   * After a build that changed modules: gives each changed service program its new module in the
   * running app, whose other programs and callers carry on ({@link RunningApp#upgrade}). An app
   * with a main program is restarted instead, since its mains run once and their output is what
   * shows a change; so is an app that is not running. A changed test program needs nothing: {@code
   * dev} does not run tests.
   */
  private void update() throws InterruptedException {
    Map<String, String> now = digests();
    List<ProgramSpec> programs = manifest.orElseThrow().programs();
    List<ProgramSpec> changed =
        programs.stream()
            .filter(p -> p.role() != Role.TEST && !now.get(p.name()).equals(digests.get(p.name())))
            .toList();
    if (changed.isEmpty()) {
      digests = now;
      return;
    }
    if (running.isEmpty() || programs.stream().anyMatch(p -> p.role() == Role.MAIN)) {
      restart("modules changed");
      return;
    }
    var upgraded = new LinkedHashMap<>(now);
    for (ProgramSpec p : changed) {
      try {
        running.get().upgrade(p.name(), p.wasm());
        say("program '" + p.name() + "' upgraded to its new module; the others kept running");
      } catch (ParigotException | IllegalStateException e) {
        err.println("parigot: " + e.getMessage());
        say("program '" + p.name() + "' keeps its old module; fix it and save");
        upgraded.put(p.name(), digests.get(p.name()));
      }
    }
    digests = upgraded;
  }

  /** Stops the running app, if any, and starts the current manifest's. */
  private void restart(String why) {
    if (manifest.isEmpty()) {
      return;
    }
    Map<String, String> now = digests();
    if (running.isPresent()) {
      List<String> programs =
          now.keySet().stream().filter(p -> !now.get(p).equals(digests.get(p))).toList();
      say(
          why
              + (programs.isEmpty() ? "" : " (" + String.join(", ", programs) + ")")
              + "; restarting the app");
      running.get().close();
      running = Optional.empty();
    }
    digests = now;
    try {
      Manifest m = manifest.get();
      AppHost host =
          listen
              .apply(AppHost.builder(m), m, cli)
              .output(out, err)
              .engine(engine)
              .closeOnShutdown(() -> say("interrupted; stopping the app"))
              .build();
      RunningApp app = host.start();
      running = Optional.of(app);
      say(
          "app '"
              + app.name()
              + "' running"
              + app.httpAddress().map(a -> ", HTTP on port " + a.getPort()).orElse("")
              + "; watching "
              + manifestFile.getParent());
    } catch (ParigotException | IllegalArgumentException e) {
      err.println("parigot: " + e.getMessage());
      say("the app did not start; fix it and save");
    }
  }

  /** Each program's module's SHA-256, or "missing". */
  private Map<String, String> digests() {
    Map<String, String> result = new LinkedHashMap<>();
    for (ProgramSpec p : manifest.map(Manifest::programs).orElse(List.of())) {
      String digest;
      try {
        digest =
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p.wasm())));
      } catch (IOException e) {
        digest = "missing";
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
      result.put(p.name(), digest);
    }
    return result;
  }

  /** Watches the manifest's directory and each module's, once each. */
  private void watch(WatchService watcher, Set<Path> watched) throws IOException {
    Set<Path> dirs = new LinkedHashSet<>();
    dirs.add(manifestFile.getParent());
    manifest.ifPresent(m ->
        m.programs().forEach(p -> dirs.add(p.wasm().toAbsolutePath().normalize().getParent())));
    for (Path dir : dirs) {
      if (watched.add(dir) && Files.isDirectory(dir)) {
        dir.register(
            watcher,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    }
  }

  private static void collect(WatchKey key, Set<Path> changed) {
    Path dir = (Path) key.watchable();
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.context() instanceof Path name) {
        changed.add(dir.resolve(name));
      }
    }
    key.reset();
  }

  /** What the build writes, and editors' and the kernel's own files: no reason to rebuild. */
  private static boolean ignored(Path file) {
    String name = file.getFileName() + "";
    return name.endsWith(".wasm")
        || name.startsWith(".")
        || name.endsWith("~")
        || name.endsWith(".swp")
        || Arrays.asList(file.toString().split("/")).contains(".parigot");
  }

  private static String names(Set<Path> files) {
    return String.join(", ", files.stream().map(f -> f.getFileName() + "").toList());
  }

  private void say(String line) {
    err.println("parigot: dev: " + line);
    err.flush();
  }
}
