package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code parigot ps}, {@code top} and {@code run --admin} on examples/http, running. */
class AdminCommandsTest {
  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path manifest;
  private RunningApp app;

  private int parigot(String... args) {
    return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @BeforeEach
  void start() throws Exception {
    manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        Files.readString(EXAMPLES.resolve("http/app.toml"))
            .replace("127.0.0.1:8080", "127.0.0.1:0")
            .replace("wasm = \"", "wasm = \"" + EXAMPLES.resolve("http") + "/"));
    app =
        AppHost.builder(Manifest.load(manifest))
            .output((process, stderr, line) -> {})
            .admin(0)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void psListsTheProcessesOfTheAppOfAManifest() {
    assertThat(parigot("ps", manifest.toString())).as(err.toString()).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[0])
        .isEqualTo(
            "   PID  PROCESS                STATE       MEMORY       CPU INFLIGHT    QUEUED"
                + "   SERVED  ERRORS RESTARTS");
    assertThat(lines).hasSize(3);
    assertThat(out.toString())
        .containsPattern("\\s+\\d+  greeter\\[\\d+\\]\\s+(waiting|running)\\s+\\d+\\.\\dK ")
        .containsPattern("\\s+\\d+  front\\[\\d+\\]\\s+");
  }

  @Test
  void upgradeGivesARunningProgramItsNewModuleAndRefusesWhatItCannotUse() throws Exception {
    Path greeter = EXAMPLES.resolve("http/greeter.wasm");
    assertThat(parigot("upgrade", manifest.toString(), "greeter", greeter.toString()))
        .as(err.toString())
        .isZero();
    assertThat(out.toString()).contains("program 'greeter' upgraded to " + greeter);

    assertThat(parigot("upgrade", manifest.toString(), "greeter", "missing.wasm")).isEqualTo(2);
    assertThat(err.toString()).contains("parigot: upgrade: missing.wasm: no such file");
    Path junk = Files.writeString(dir.resolve("junk.wasm"), "junk");
    assertThat(parigot("upgrade", manifest.toString(), "greeter", junk.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("answered 422").contains("junk.wasm");
    assertThat(parigot("upgrade", manifest.toString(), "nobody", greeter.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("answered 404").contains("no program 'nobody'");
    // The old version serves on: ps still lists both programs.
    assertThat(parigot("ps", manifest.toString())).isZero();
    assertThat(out.toString()).containsPattern("greeter\\[\\d+\\]");
  }

  @Test
  void topOnceShowsTheProcessesAndTheCallsByDataDirectory() {
    String data = dir.resolve(".parigot/http").toString();
    assertThat(parigot("top", "--once", "--data-dir", data)).as(err.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("parigot top http at http://127\\.0\\.0\\.1:\\d+: 2 processes, ")
        .contains("PROCESS")
        .contains("CALLER         CALLEE");
    assertThat(out.toString()).doesNotContain("\033[");
  }

  @Test
  void topWithAnIterationCountRefreshesThatManyTimes() {
    assertThat(parigot("top", "-n", "3", "--interval", "100", manifest.toString())).isZero();
    assertThat(out.toString().split("parigot top http", -1)).hasSize(4);
  }

  @Test
  void topRefusesAnIntervalUnder100MsAndPsNeedsATarget() {
    assertThat(parigot("top", "--interval", "10", manifest.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--interval must be at least 100 ms, not 10");
    assertThat(parigot("ps")).isEqualTo(2);
    assertThat(err.toString()).contains("Give either APP.toml or --data-dir DIR");
  }

  @Test
  void psOfAnAppThatIsNotRunningSaysSoWithExitCodeOne() throws Exception {
    Path other = Files.createDirectories(dir.resolve("other"));
    assertThat(parigot("ps", "--data-dir", other.toString())).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("parigot: ps: no admin endpoint in " + other)
        .contains("runs without --admin PORT");
  }

  @Test
  void runWithAdminSaysWhereTheEndpointIsAndRemovesItsFilesAtTheEnd() throws Exception {
    Path hello = dir.resolve("hello.toml");
    Files.writeString(
        hello,
        """
        app = "hi"
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
    assertThat(parigot("run", "--admin", "0", hello.toString())).as(err.toString()).isZero();
    assertThat(err.toString())
        .containsPattern(
            "parigot: app 'hi' admin endpoint on http://127\\.0\\.0\\.1:\\d+/ \\(token in .*"
                + "admin\\.token\\)\n");
    assertThat(dir.resolve(".parigot/hi/admin.token")).doesNotExist();
    assertThat(parigot("run", "--admin", "70000", hello.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--admin must be a port from 0 to 65535, not 70000");
  }
}
