package dev.parigot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Times whole processes, as a user starts them: {@code ./parigot run APP.toml} (the bash launcher,
 * the JVM and the app) with the compiled-module cache ({@code PARIGOT_CACHE}) empty and filled, and
 * node's WASI on the same module. Each repetition runs every variant of a program in turn, so the
 * machine's load falls on all of them alike.
 */
final class ColdStart {
  /** One program: its manifest, and its module when node can run it too (a plain WASI command). */
  record Program(String name, Path manifest, Path wasm, String expected) {}

  /** Wall times of the repetitions, in milliseconds. */
  record Times(List<Double> ms) {
    double median() {
      return ms.stream().sorted().toList().get(ms.size() / 2);
    }

    double min() {
      return ms.stream().min(Comparator.naturalOrder()).orElseThrow();
    }

    double max() {
      return ms.stream().max(Comparator.naturalOrder()).orElseThrow();
    }
  }

  /** The medians of one program's variants; node is empty for a program node cannot run. */
  record Result(Times cold, Times warm, Times node) {}

  private final Path root;
  private final Path nodeRunner;
  private final Path work;

  /**
   * @param root the repository, holding the {@code parigot} launcher
   * @param work a scratch directory for the manifests and caches
   */
  ColdStart(Path root, Path nodeRunner, Path work) {
    this.root = root;
    this.nodeRunner = nodeRunner;
    this.work = work;
  }

  /**
   * Makes the launcher build the CLI and its AOT cache if it has to, untimed: the rows measure
   * starts, not the first run after a build.
   */
  void prepare() throws IOException, InterruptedException {
    exec(List.of(root.resolve("parigot").toString(), "--version"), Map.of(), "parigot");
  }

  /** A one-program app around a WASI command, written under the scratch directory. */
  Program wasiApp(String name, Path wasm, String expected) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        "app = \"" + name + "\"\n\n[program.main]\nwasm = \"" + wasm + "\"\nrole = \"main\"\n");
    return new Program(name, manifest, wasm, expected);
  }

  /**
   * {@code reps} repetitions of: a run with an empty cache, a run with the cache one earlier run
   * filled, and node (when the program is a WASI command). Every run must end with 0 and print
   * {@code expected}.
   */
  Result run(Program p, int reps) throws IOException, InterruptedException {
    Path warmCache = Files.createDirectories(work.resolve(p.name() + "-cache-warm"));
    List<String> parigot =
        List.of(root.resolve("parigot").toString(), "run", p.manifest().toString());
    // Fills the warm cache, untimed.
    exec(parigot, Map.of("PARIGOT_CACHE", warmCache.toString()), p.expected());
    List<Double> cold = new ArrayList<>();
    List<Double> warm = new ArrayList<>();
    List<Double> node = new ArrayList<>();
    for (int i = 0; i < reps; i++) {
      Path coldCache = work.resolve(p.name() + "-cache-cold-" + i);
      Main.deleteTree(coldCache);
      Files.createDirectories(coldCache);
      cold.add(exec(parigot, Map.of("PARIGOT_CACHE", coldCache.toString()), p.expected()));
      Main.deleteTree(coldCache);
      warm.add(exec(parigot, Map.of("PARIGOT_CACHE", warmCache.toString()), p.expected()));
      if (p.wasm() != null) {
        node.add(
            exec(
                List.of("node", "--no-warnings", nodeRunner.toString(), p.wasm().toString()),
                Map.of(),
                p.expected()));
      }
    }
    return new Result(new Times(cold), new Times(warm), new Times(node));
  }

  /** What node's WASI prints for {@code wasm}: the line every engine must print alike. */
  String nodeOutput(Path wasm) throws IOException, InterruptedException {
    var p =
        new ProcessBuilder("node", "--no-warnings", nodeRunner.toString(), wasm.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0 || out.isEmpty()) {
      throw new IllegalStateException("node " + wasm + " failed: " + out);
    }
    return out;
  }

  /** Runs a command to its end; its wall time in milliseconds. */
  private double exec(List<String> command, Map<String, String> env, String expected)
      throws IOException, InterruptedException {
    var pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process process = pb.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = process.waitFor();
    long ns = System.nanoTime() - start;
    if (code != 0 || !out.contains(expected)) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited " + code + " without '" + expected + "': " + out);
    }
    return ns / 1e6;
  }
}
