package dev.parigot.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Runs each compute program (bench/guests/compute) three ways: the native build (gcc -O2, made by
 * scripts/bench), the same .wasm under node (V8) and under the kernel (Chicory's compiler). Each
 * program times its own workload after a warm-up and prints the median (see compute.h), so start-up
 * and compilation are not in the numbers: this compares steady-state code quality.
 */
final class Compute {
  static final List<String> PROGRAMS = List.of("hash", "matmul", "sort", "sha256");
  static final int ROUNDS = 3;
  private static final long POLL_MS = 50;

  private static final Pattern LINE =
      Pattern.compile("compute (\\S+) median_ns=(\\d+) checksum=(\\d+)");

  /** Median nanoseconds of one workload on each engine, over {@link #ROUNDS} rounds. */
  record Result(String program, long nativeNs, long nodeNs, long kernelNs) {}

  private final Path wasmDir;
  private final Path nativeDir;
  private final Path nodeRunner;
  private final GuestBench guests;

  Compute(Path wasmDir, Path nativeDir, Path nodeRunner, GuestBench guests) {
    this.wasmDir = wasmDir;
    this.nativeDir = nativeDir;
    this.nodeRunner = nodeRunner;
    this.guests = guests;
  }

  /**
   * {@link #ROUNDS} rounds of the three engines in turn, so that a change in the machine's load
   * falls on all three; each engine's median round. Each kernel round is a fresh kernel, so its
   * code is compiled, and profiled by the JIT, anew.
   */
  Result run(String program) throws IOException, InterruptedException {
    Path wasm = wasmDir.resolve(program + ".wasm");
    List<Long> nat = new ArrayList<>();
    List<Long> node = new ArrayList<>();
    List<Long> kernel = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      awaitQuietJit();
      Matcher n = parse(program, exec(nativeDir.resolve(program).toString()));
      awaitQuietJit();
      Matcher v =
          parse(program, exec("node", "--no-warnings", nodeRunner.toString(), wasm.toString()));
      // Loading a module gives C2 the loader's code to compile (up to 1.6 s for the engine's
      // parser): started at once, sha256 spent its warm-up and timed runs in C1 code, at 9.5x.
      Matcher k = parse(program, guests.compute(wasm, Compute::awaitQuietJit));
      // The same result everywhere, or the comparison is of different work.
      if (!n.group(3).equals(v.group(3)) || !n.group(3).equals(k.group(3))) {
        throw new IllegalStateException(
            program
                + ": checksums differ: native "
                + n.group(3)
                + ", node "
                + v.group(3)
                + ", kernel "
                + k.group(3));
      }
      nat.add(Long.parseLong(n.group(2)));
      node.add(Long.parseLong(v.group(2)));
      kernel.add(Long.parseLong(k.group(2)));
    }
    return new Result(program, Main.median(nat), Main.median(node), Main.median(kernel));
  }

  /**
   * Waits until this JVM's JIT has nothing to compile (at most 10 s): C2 may still be compiling the
   * last kernel round's guest code, on one of the machine's two cores, while the next native or
   * node round is timed, or the kernel's own code, on the JVM's one C2 thread, while a guest waits
   * to be compiled. It asks HotSpot for its compile queue: the JIT's total compilation time only
   * moves when a compile ends, and C2 has taken 1.6 s over the engine's parser.
   */
  static void awaitQuietJit() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (jitBusy() && System.nanoTime() < deadline) {
      Thread.sleep(POLL_MS);
    }
  }

  /** Whether HotSpot is compiling or has compiles queued; false on a JVM without its commands. */
  private static boolean jitBusy() {
    try {
      return busy(
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "compilerQueue",
                      new Object[] {null},
                      new String[] {String[].class.getName()}));
    } catch (JMException e) {
      return false;
    }
  }

  /**
   * Whether the output of HotSpot's {@code Compiler.queue} command lists a compile: it prints a
   * header per section ("Current compiles:", "C2 compile queue:") and "Empty" for an empty queue,
   * and one line per compile.
   */
  static boolean busy(String compilerQueue) {
    return compilerQueue
        .lines()
        .map(String::strip)
        .anyMatch(l -> !l.isEmpty() && !l.endsWith(":") && !l.equals("Empty"));
  }

  private static Matcher parse(String program, String output) {
    Matcher m = LINE.matcher(output);
    if (!m.find() || !m.group(1).equals(program)) {
      throw new IllegalStateException(program + ": no result in: " + output);
    }
    return m;
  }

  private static String exec(String... command) throws IOException, InterruptedException {
    var p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** The geometric mean of ratios. */
  static double geomean(List<Double> ratios) {
    return Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(Double.NaN));
  }
}
