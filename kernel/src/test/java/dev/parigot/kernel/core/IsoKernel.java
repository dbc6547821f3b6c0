package dev.parigot.kernel.core;

import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.conformance.Probe;
import dev.parigot.kernel.spi.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The harness of the isolation, death, limits and worker tests: one kernel with a {@link Probe},
 * into which a test launches one or more apps of corpus modules, then waits, event-driven, for the
 * endings of the processes it cares about and calls their services from Java.
 */
final class IsoKernel implements AutoCloseable {
  /** Who Java-made calls come from. */
  private static final Caller JAVA_CALLER = new Caller("test", "java", 0);

  /** How long any wait for the kernel lasts before the test fails. */
  static final long WAIT_SECONDS = 30;

  final KernelImpl kernel;
  final Probe probe = new Probe();
  private final Path dir;
  // "process code[ reason]", in the order processes ended. Guarded by itself.
  private final List<String> endings = new ArrayList<>();
  private int launches;

  IsoKernel(Path dir) {
    this(dir, true);
  }

  /** A kernel with the scheduler on or off. */
  IsoKernel(Path dir, boolean cpuWatchdog) {
    this(dir, b -> b.cpuWatchdog(cpuWatchdog));
  }

  /** A kernel whose scheduler measures time with {@code clock}. */
  IsoKernel(Path dir, Clock clock) {
    this(dir, b -> b.clock(clock));
  }

  /** A kernel with the Probe and whatever else {@code configure} sets on its builder. */
  IsoKernel(Path dir, Consumer<Kernel.Builder> configure) {
    this.dir = dir;
    var builder =
        Kernel.builder()
            .output(
                new Kernel.Output() {
                  @Override
                  public void line(String process, boolean stderr, String line) {}

                  @Override
                  public void ended(String process, int code, Optional<String> reason) {
                    synchronized (endings) {
                      endings.add(process + " " + code + reason.map(r -> " " + r).orElse(""));
                      endings.notifyAll();
                    }
                  }
                })
            .service(Probe.NAME, probe);
    configure.accept(builder);
    kernel = (KernelImpl) builder.build();
  }

  /** Launches an app from its TOML; {@code wasm = "x.wasm"} names corpus module x. */
  App launch(String toml, String... modules) {
    try {
      for (String module : modules) {
        Files.write(dir.resolve(module + ".wasm"), TestApp.corpus(module));
      }
      Path file = dir.resolve("app" + ++launches + ".toml");
      Files.writeString(file, toml);
      return kernel.launch(Manifest.load(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits for process {@code name} (a program, or "program/entry" for a worker) to end.
   *
   * @return how it ended: its exit code, then the kill reason if it was killed
   */
  String awaitEnding(String name) throws InterruptedException {
    var process = Pattern.compile("^" + Pattern.quote(name) + "\\[\\d+\\] (.*)$", Pattern.DOTALL);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    synchronized (endings) {
      while (true) {
        for (String e : endings) {
          var m = process.matcher(e);
          if (m.matches()) {
            return m.group(1);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              name + " did not end within " + WAIT_SECONDS + " s; ended: " + endings);
        }
        TimeUnit.NANOSECONDS.timedWait(endings, left);
      }
    }
  }

  /** Every ending so far, as "process code[ reason]". */
  List<String> endings() {
    synchronized (endings) {
      return List.copyOf(endings);
    }
  }

  /** Calls {@code service} from Java, as a process of this kernel would. */
  Answer call(String service, int method, String request) {
    var answer = new Answer();
    kernel
        .services()
        .lookup(service)
        .orElseThrow(() -> new AssertionError("nothing serves " + service))
        .open(JAVA_CALLER, method, request.getBytes(StandardCharsets.UTF_8), answer);
    return answer;
  }

  /** The first final answer to a Java call: "END payload" or "ERROR code payload". */
  static final class Answer implements Replies {
    private final CompletableFuture<String> result = new CompletableFuture<>();

    @Override
    public boolean partial(byte[] data) {
      return !result.isDone();
    }

    @Override
    public boolean end(byte[] data) {
      return result.complete("END " + new String(data, StandardCharsets.UTF_8));
    }

    @Override
    public boolean fail(int code, byte[] message) {
      return result.complete("ERROR " + code + " " + new String(message, StandardCharsets.UTF_8));
    }

    String await() throws InterruptedException {
      try {
        return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("no answer within " + WAIT_SECONDS + " s");
      } catch (ExecutionException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    kernel.close();
  }
}
