package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traps a new app fell into (issue 16): tests sharing the app's data, a second kernel on one
 * data directory, a busy port, a service that dies while starting, check disagreeing with run, and
 * the help.
 */
class NewcomerTrapsTest {
  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int parigot(String... args) {
    return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  /** The kv example in {@code dir}: a counter service on parigot.kv.v1.KV, a main and a test. */
  private static Path kvApp(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(EXAMPLES.resolve("kv"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".wasm")).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    Files.copy(EXAMPLES.resolve("kv/app.toml"), dir.resolve("app.toml"));
    return dir.resolve("app.toml");
  }

  @Test
  void testRunsOnAFreshDataDirectoryNeverTheApps(@TempDir Path dir) throws Exception {
    Path app = kvApp(dir);

    assertThat(parigot("test", app.toString())).as(err.toString()).isZero();

    assertThat(dir.resolve(".parigot")).doesNotExist();
  }

  @Test
  void testWithDataDirKeepsTheDataThere(@TempDir Path dir) throws Exception {
    Path app = kvApp(dir);
    Path data = dir.resolve("mine");

    assertThat(parigot("test", app.toString(), "--data-dir", data.toString()))
        .as(err.toString())
        .isZero();

    assertThat(data.resolve("store.db")).exists();
    assertThat(dir.resolve(".parigot")).doesNotExist();
  }

  @Test
  void runWithDataDirKeepsTheDataThere(@TempDir Path dir) throws Exception {
    Path app = kvApp(dir);
    Path data = dir.resolve("elsewhere");

    assertThat(parigot("run", app.toString(), "--data-dir", data.toString()))
        .as(err.toString())
        .isZero();

    assertThat(data.resolve("store.db")).exists();
    assertThat(dir.resolve(".parigot")).doesNotExist();
  }

  @Test
  void aBusyPortFailsAtOnceWithItsOwnExitCodeAndOneLine() throws Exception {
    try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();

      int code = parigot("run", EXAMPLES.resolve("http/app.toml").toString(), "--listen", address);

      assertThat(code).as(err.toString()).isEqualTo(4);
      assertThat(err.toString())
          .isEqualTo(
              "parigot: app 'http': cannot listen on 127.0.0.1:"
                  + taken.getLocalPort()
                  + ": the address is in use; stop what has it, or move the app with --listen\n");
    }
  }

  @Test
  void listenMovesTheHttpIngress(@TempDir Path dir) throws Exception {
    int port;
    try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path manifest = dir.resolve("app.toml");
    // The http example's front door, and hello's main, whose end ends the run.
    Files.writeString(
        manifest,
        """
        app = "moved"
        [http]
        listen = "127.0.0.1:8080"
        [[http.route]]
        prefix = "/"
        service = "web.v1.Front"

        [program.web]
        wasm = "EXAMPLES/http/greeter.wasm"
        role = "service"
        exports = ["web.v1.Greeter"]

        [program.front]
        wasm = "EXAMPLES/http/front.wasm"
        role = "service"
        exports = ["web.v1.Front"]
        requires = ["web.v1.Greeter"]

        [program.greeter]
        wasm = "EXAMPLES/hello/greeter.wasm"
        role = "service"
        exports = ["hello.v1.Greeter"]

        [program.main]
        wasm = "EXAMPLES/hello/main.wasm"
        role = "main"
        requires = ["hello.v1.Greeter"]
        """
            .replace("EXAMPLES", EXAMPLES.toString()));

    assertThat(parigot("run", manifest.toString(), "--listen", String.valueOf(port)))
        .as(err.toString())
        .isZero();

    assertThat(err.toString())
        .contains("parigot: app 'moved' serves HTTP on http://127.0.0.1:" + port + "/\n");
  }

  @Test
  void testTakesNoListenForItStartsNoHttp() {
    assertThat(parigot("test", EXAMPLES.resolve("http/app.toml").toString(), "--listen", "8081"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("Unknown options: '--listen', '8081'");
  }

  @Test
  void listenIsRefusedWhenMalformedOrTheAppServesNoHttp() {
    assertThat(parigot("run", EXAMPLES.resolve("http/app.toml").toString(), "--listen", "x:99999"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--listen: 'x:99999' is not [HOST:]PORT");
    err.getBuffer().setLength(0);

    assertThat(parigot("run", EXAMPLES.resolve("hello/app.toml").toString(), "--listen", "8080"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--listen: app 'hello' serves no HTTP");
  }

  @Test
  void aSecondRunOnTheSameDataDirectoryIsRefusedNamingTheHolder(@TempDir Path dir)
      throws Exception {
    Path app = kvApp(dir);
    Path data = dir.resolve("data");
    // A kernel of this process holds it: the one a `parigot run` would be.
    var holder =
        dev.parigot.host.AppHost.builder(dev.parigot.kernel.Manifest.load(app, data))
            .output((process, stderr, line) -> {})
            .build();
    try (var running = holder.start()) {
      int code = parigot("run", app.toString(), "--data-dir", data.toString());

      assertThat(code).isEqualTo(4);
      assertThat(err.toString())
          .startsWith("parigot: the data directory " + data + " is in use by another kernel")
          .contains("pid " + ProcessHandle.current().pid());
      assertThat(err.toString().lines()).hasSize(1);
    }
  }

  @Test
  void aServiceThatDiesWhileStartingStopsRunBeforeItsDependentsStart(@TempDir Path dir)
      throws Exception {
    Path manifest = dir.resolve("app.toml");
    // hello's main serves nothing and exits: as a service, it dies while starting.
    Files.writeString(
        manifest,
        """
        app = "dies"
        [program.greeter]
        wasm = "EXAMPLES/hello/main.wasm"
        role = "service"
        exports = ["hello.v1.Greeter"]
        args = ["early"]

        [program.main]
        wasm = "EXAMPLES/hello/main.wasm"
        role = "main"
        requires = ["hello.v1.Greeter"]
        args = ["late"]
        """
            .replace("EXAMPLES", EXAMPLES.toString()));

    assertThat(parigot("run", manifest.toString())).isEqualTo(5);

    assertThat(err.toString())
        .contains("parigot: program 'greeter' ended while starting: exited with code");
    assertThat(out.toString() + err.toString()).doesNotContain("main[");
  }

  @Test
  void checkAgreesWithRunOnATestProgramNotBuiltYet(@TempDir Path dir) throws Exception {
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        """
        app = "later"
        [program.main]
        wasm = "EXAMPLES/hello/main.wasm"
        role = "main"
        [program.main_test]
        wasm = "main_test.wasm"
        role = "test"
        """
            .replace("EXAMPLES", EXAMPLES.toString()));

    assertThat(parigot("check", manifest.toString())).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("note: test program 'main_test': ")
        .contains("main_test.wasm is not built yet");
    assertThat(parigot("test", manifest.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("program 'main_test': cannot read ")
        .endsWith("main_test.wasm: no such file\n")
        .doesNotContain("Exception");
  }

  @Test
  void helpListsTheCommandsAndExitCodes() {
    assertThat(parigot("--help")).isZero();
    assertThat(out.toString())
        .startsWith("Usage: parigot")
        .contains("Exit codes:")
        .containsPattern("\n  4 +the HTTP address or the data directory is in use")
        .containsPattern("\n  137 +a main program was killed by the kernel");
    out.getBuffer().setLength(0);

    assertThat(parigot("run", "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: parigot run").contains("--data-dir");
  }

  @Test
  void versionNamesTheAbi() {
    assertThat(parigot("--version")).isZero();
    assertThat(out.toString()).isEqualTo("parigot 0.1.0 (ABI v1)\n");
  }
}
