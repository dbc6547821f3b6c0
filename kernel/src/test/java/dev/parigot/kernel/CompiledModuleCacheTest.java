package dev.parigot.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.engine.spi.Engine;
import dev.parigot.engine.spi.ModuleCache;
import dev.parigot.kernel.testing.ManifestToml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernels whose engine keeps compiled modules on disk: the second kernel to run a module loads it
 * from there, and its processes behave as the first kernel's did, preemption poll included.
 */
class CompiledModuleCacheTest {
  @TempDir Path dir;

  @Test
  void anAppRunsFromTheModuleCacheAsItRanWhenCompiled() throws Exception {
    Path cache = dir.resolve("cache");
    Path manifest = app("wasi-hello");

    List<String> compiled = run(manifest, cache);
    Path entry = onlyEntry(cache);
    Object file = Files.readAttributes(entry, BasicFileAttributes.class).fileKey();
    FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
    Files.setLastModifiedTime(entry, longAgo);
    List<String> cached = run(manifest, cache);

    assertThat(compiled).contains("stdout hello from wasi", "stderr oops");
    assertThat(cached).isEqualTo(compiled);
    assertThat(Files.readAttributes(entry, BasicFileAttributes.class).fileKey())
        .as("the entry was read, not written again")
        .isEqualTo(file);
    assertThat(Files.getLastModifiedTime(entry))
        .as("reading it made it recent")
        .isNotEqualTo(longAgo);
  }

  @Test
  void aSpinnerLoadedFromTheModuleCacheIsStillKilledAtItsNextLoopBackEdge() throws Exception {
    Path cache = dir.resolve("cache");
    Path manifest = app("iso-spin", "args = [\"s\"]");
    try (Kernel kernel = Kernel.builder().engine(engine(cache)).build()) {
      kernel.verify(Manifest.load(manifest));
    }
    assertThat(onlyEntry(cache)).exists();

    var ended = new CountDownLatch(1);
    List<String> reasons = new CopyOnWriteArrayList<>();
    var output =
        new Kernel.Output() {
          @Override
          public void line(String process, boolean stderr, String line) {}

          @Override
          public void ended(String process, int code, Optional<String> reason) {
            reasons.add(code + " " + reason.orElse(""));
            ended.countDown();
          }
        };
    try (Kernel kernel = Kernel.builder().engine(engine(cache)).output(output).build()) {
      kernel.launch(Manifest.load(manifest));
      long pid = kernel.processes().getFirst().pid();

      assertThat(kernel.kill(pid, "stopped by the test")).isTrue();
      assertThat(ended.await(30, TimeUnit.SECONDS)).as("the spinner ended").isTrue();
    }
    assertThat(reasons)
        .singleElement()
        .asString()
        .startsWith("70 ")
        .contains("stopped by the test");
  }

  /** Runs the app in a kernel of its own, with a new engine on {@code cache}: its output lines. */
  private static List<String> run(Path manifest, Path cache) throws InterruptedException {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (Kernel kernel =
        Kernel.builder()
            .engine(engine(cache))
            .output((process, stderr, line) -> lines.add((stderr ? "stderr " : "stdout ") + line))
            .build()) {
      App app = kernel.launch(Manifest.load(manifest));
      assertThat(app.awaitMains(Duration.ofSeconds(60))).hasValue(0);
    }
    return List.copyOf(lines);
  }

  /** A new engine, with nothing in memory, keeping modules in {@code cache}. */
  private static Engine engine(Path cache) {
    return ServiceLoader.load(Engine.class)
        .findFirst()
        .orElseThrow()
        .withCache(ModuleCache.at(cache, 64 << 20));
  }

  /** A one-program app running corpus module {@code module} as its main. */
  private Path app(String module, String... lines) throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/wat/" + module + ".wasm")) {
      Files.write(dir.resolve(module + ".wasm"), in.readAllBytes());
    }
    return Files.writeString(dir.resolve("app.toml"), ManifestToml.program(module, "main", lines));
  }

  private static Path onlyEntry(Path cache) throws IOException {
    try (Stream<Path> files = Files.list(cache)) {
      List<Path> entries = files.toList();
      assertThat(entries).hasSize(1);
      return entries.getFirst();
    }
  }
}
