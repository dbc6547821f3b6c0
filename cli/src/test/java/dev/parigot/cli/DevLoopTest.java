package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.engine.spi.Engine;
import dev.parigot.engine.spi.ModuleCache;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code parigot dev} on an app from the service template: a saved edit is built and the app
 * restarted with it; a broken edit is shown and the running version stays. Real make, real clang.
 */
class DevLoopTest {
  // A bound against hanging only: a build and a start take seconds.
  private static final Duration LIMIT = Duration.ofMinutes(3);

  @Test
  void aSavedEditIsRebuiltAndRunAndABrokenOneLeavesTheOldVersionRunning(@TempDir Path dir)
      throws Exception {
    Path app = dir.resolve("dev-loop");
    var created = new PrintWriter(new java.io.StringWriter(), true);
    assertThat(Main.execute(new String[] {"new", app.toString()}, created, created)).isZero();
    Map<String, String> env = Templates.buildEnv(dir);
    Path cache = dir.resolve("modules");
    Engine engine =
        ServiceLoader.load(Engine.class)
            .findFirst()
            .orElseThrow()
            .withCache(ModuleCache.at(cache, ModuleCache.DEFAULT_MAX_BYTES));
    var out = new Transcript();
    var err = new Transcript();
    var loop =
        new DevLoop(
            app.resolve("app.toml"),
            new DataDirOption(),
            new ListenOption(),
            new CommandLine(new DevCommand()),
            engine,
            env,
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    var code = new AtomicInteger(-1);
    Thread dev = Thread.ofPlatform().start(() -> code.set(loop.run()));
    try {
      // dev builds what was never built, and starts it.
      assertThat(out.await("Hello, parigot!", 1, LIMIT)).as(out + "\n" + err).isTrue();
      assertThat(err.toString()).contains("parigot: dev: app 'dev-loop' running");
      assertThat(modules(cache)).as("the service's and main's compiled modules").isEqualTo(2);

      Path service = app.resolve("service.c");
      Files.writeString(
          service, Files.readString(service).replace("\"Hello, %.*s!\"", "\"Howdy, %.*s!\""));

      assertThat(out.await("Howdy, parigot!", 1, LIMIT)).as(out + "\n" + err).isTrue();
      assertThat(err.toString()).contains("modules changed (service); restarting the app");
      // Only the changed module was compiled; main's came from the cache.
      assertThat(modules(cache)).isEqualTo(3);

      Files.writeString(service, Files.readString(service) + "\nthis is not C\n");

      assertThat(err.await("the build failed (above); still running", 1, LIMIT))
          .as(err.toString())
          .isTrue();
      assertThat(err.toString()).contains("make: ").contains("service.c");
      assertThat(err.count("restarting the app")).isEqualTo(1);
    } finally {
      dev.interrupt();
      dev.join(LIMIT.toMillis());
    }
    assertThat(code.get()).isZero();
    assertThat(err.toString()).endsWith("parigot: dev: stopped\n");
  }

  private static long modules(Path cache) throws Exception {
    if (!Files.isDirectory(cache)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(cache)) {
      return files.filter(f -> f.toString().endsWith(".module")).count();
    }
  }
}
