package dev.parigot.kernel.core;

import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.conformance.Probe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs test guests from the committed corpus (src/test/resources/wat, built by
 * scripts/build-guests) in a fresh kernel with a {@link Probe} service, capturing their output.
 *
 * <p>The manifest is given as TOML; a program's {@code wasm = "x.wasm"} refers to corpus module
 * {@code x}, copied next to the manifest.
 */
final class TestApp implements AutoCloseable {
  final KernelImpl kernel;
  final Probe probe = new Probe();
  private final List<String> lines = new CopyOnWriteArrayList<>();

  /** "process code reason" for every process that ended. */
  final List<String> endings = new CopyOnWriteArrayList<>();

  final App app;

  private TestApp(Path dir, String toml, String... modules) throws IOException {
    this(dir, toml, Map.of(), app -> {}, modules);
  }

  private TestApp(
      Path dir,
      String toml,
      Map<String, Provider> services,
      Consumer<TestApp> beforeLaunch,
      String... modules)
      throws IOException {
    for (String module : modules) {
      Files.write(dir.resolve(module + ".wasm"), corpus(module));
    }
    Path file = dir.resolve("app.toml");
    Files.writeString(file, toml);
    var builder =
        Kernel.builder()
            .output(
                new Kernel.Output() {
                  @Override
                  public void line(String process, boolean stderr, String line) {
                    lines.add(process + " " + line);
                  }

                  @Override
                  public void ended(String process, int code, Optional<String> reason) {
                    endings.add(process + " " + code + reason.map(r -> " " + r).orElse(""));
                  }
                })
            .service(Probe.NAME, probe);
    services.forEach(builder::service);
    kernel = (KernelImpl) builder.build();
    beforeLaunch.accept(this);
    app = kernel.launch(Manifest.load(file));
  }

  /** Launches the app described by {@code toml}, whose programs use the given corpus modules. */
  static TestApp launch(Path dir, String toml, String... modules) throws IOException {
    return new TestApp(dir, toml, modules);
  }

  /**
   * As {@link #launch(Path, String, String...)}, with more Java providers served beside the Probe,
   * and running {@code beforeLaunch} once the kernel exists but before any program starts: to get
   * hold of the app while {@link Kernel#launch} is still starting programs.
   */
  static TestApp launch(
      Path dir,
      String toml,
      Map<String, Provider> services,
      Consumer<TestApp> beforeLaunch,
      String... modules)
      throws IOException {
    return new TestApp(dir, toml, services, beforeLaunch, modules);
  }

  /** A one-program app: program {@code name} of role main running corpus module {@code module}. */
  static TestApp single(Path dir, String module, String extra) throws IOException {
    return launch(
        dir,
        """
        app = "test"
        [program.main]
        wasm = "%s.wasm"
        role = "main"
        requires = ["%s"]
        %s
        """
            .formatted(module, Probe.NAME, extra),
        module);
  }

  static byte[] corpus(String module) {
    try (InputStream in = TestApp.class.getResourceAsStream("/wat/" + module + ".wasm")) {
      if (in == null) {
        throw new IllegalArgumentException(
            "no corpus module " + module + ".wasm; run scripts/build-guests");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the mains to end and returns the app's exit code. */
  int exitCode() throws InterruptedException {
    return app.awaitMains(Duration.ofSeconds(60))
        .orElseThrow(() -> new AssertionError("mains still running after 60 s"));
  }

  /** Every line the app's processes wrote, as "process line". */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /** The live processes of the kernel. */
  List<Process> processes() {
    return kernel.live();
  }

  @Override
  public void close() {
    kernel.close();
  }
}
