package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.engine.spi.Engine;
import dev.parigot.engine.spi.ModuleCache;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code parigot dev} on apps from the templates: a saved edit is built and the app restarted with
 * it, or its service upgraded in place when the app has no main; a broken edit is shown and the
 * running version stays. Real make, real clang, a real socket.
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
      // Said once the app has started, which main's first line may come before.
      assertThat(err.await("parigot: dev: app 'dev-loop' running", 1, LIMIT))
          .as(err.toString())
          .isTrue();
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

  @Test
  void aServiceOfAnAppWithoutMainIsUpgradedInPlaceAndKeepsServing(@TempDir Path dir)
      throws Exception {
    Path app = dir.resolve("dev-http");
    var created = new PrintWriter(new java.io.StringWriter(), true);
    assertThat(
            Main.execute(
                new String[] {"new", app.toString(), "--template", "http"}, created, created))
        .isZero();
    var listen = new ListenOption();
    listen.listen = "127.0.0.1:0";
    var out = new Transcript();
    var err = new Transcript();
    var loop =
        new DevLoop(
            app.resolve("app.toml"),
            new DataDirOption(),
            listen,
            new CommandLine(new DevCommand()),
            ServiceLoader.load(Engine.class).findFirst().orElseThrow(),
            Templates.buildEnv(dir),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    var code = new AtomicInteger(-1);
    Thread dev = Thread.ofPlatform().start(() -> code.set(loop.run()));
    try {
      assertThat(err.await("HTTP on port ", 1, LIMIT)).as(out + "\n" + err).isTrue();
      Matcher port = Pattern.compile("HTTP on port (\\d+)").matcher(err.toString());
      assertThat(port.find()).isTrue();
      int p = Integer.parseInt(port.group(1));
      assertThat(get(p, "/hello/dev")).endsWith("Hello, dev!\n");

      Path front = app.resolve("front.c");
      Files.writeString(
          front, Files.readString(front).replace("\"Hello, %.*s!\\n\"", "\"Howdy, %.*s!\\n\""));

      assertThat(err.await("program 'front' upgraded to its new module", 1, LIMIT))
          .as(err.toString())
          .isTrue();
      // The same ingress, on the same port, now reaches the new module.
      assertThat(get(p, "/hello/dev")).endsWith("Howdy, dev!\n");
      assertThat(err.count("restarting the app")).isZero();
    } finally {
      dev.interrupt();
      dev.join(LIMIT.toMillis());
    }
    assertThat(code.get()).isZero();
  }

  /** The response to GET {@code path} on 127.0.0.1:{@code port}, head and body. */
  private static String get(int port, String path) throws Exception {
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) LIMIT.toMillis());
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
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
