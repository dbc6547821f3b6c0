package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Inputs made to break {@code check}, {@code run} and {@code test}: each ends with one line naming
 * the problem and exit code 2, never a stack trace, and all three commands agree.
 */
class HostileInputTest {
  private static final Path HELLO_MAIN = Path.of("..", "examples", "hello", "main.wasm");
  private static final Path SHARED_MEMORY =
      Path.of("..", "kernel", "src", "test", "resources", "wat", "reject-shared-memory.wasm");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;

  private int parigot(CommandLine cli, String... args) {
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private int parigot(String... args) {
    return parigot(Main.commandLine(), args);
  }

  /** A manifest of one program with role {@code test} for the test command, main otherwise. */
  private Path manifest(String command, String wasm, String more) throws Exception {
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        """
        app = "hostile"
        [program.p]
        wasm = "%s"
        role = "%s"
        %s
        """
            .formatted(wasm, command.equals("test") ? "test" : "main", more));
    return manifest;
  }

  /** Exit code 2 and the problem on stderr in lines that are not a stack trace. */
  private void assertRefused(int code, String problem) {
    assertThat(code).as(err.toString()).isEqualTo(Main.REFUSED);
    assertThat(err.toString())
        .contains(problem)
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("interrupted");
  }

  @ParameterizedTest
  @ValueSource(strings = {"check", "run", "test"})
  void aThreeGigabyteModuleIsRefusedBeforeItIsRead(String command) throws Exception {
    try (var file = new RandomAccessFile(dir.resolve("big.wasm").toFile(), "rw")) {
      file.setLength(3L << 30);
    }

    int code = parigot(command, manifest(command, "big.wasm", "").toString());

    assertRefused(code, "big.wasm: 3221225472 bytes; a module file for program 'p' may be at most");
  }

  @ParameterizedTest
  @ValueSource(strings = {"check", "run", "test"})
  void aModuleWithSharedMemoryIsRefused(String command) throws Exception {
    Files.copy(SHARED_MEMORY, dir.resolve("shared.wasm"));

    int code = parigot(command, manifest(command, "shared.wasm", "").toString());

    assertRefused(code, "shared.wasm: declares a shared memory; a process is single-threaded");
  }

  @ParameterizedTest
  @ValueSource(strings = {"check", "run", "test"})
  void anArrayNestedTwoHundredThousandDeepIsRefusedNamingTheLimit(String command) throws Exception {
    Path manifest =
        manifest(command, "main.wasm", "args = " + "[".repeat(200_000) + "]".repeat(200_000));

    assertRefused(
        parigot(command, manifest.toString()),
        "app.toml:5: arrays and tables nest more than 32 deep; a manifest may nest at most 32");
  }

  @ParameterizedTest
  @ValueSource(strings = {"check", "run", "test"})
  void aFiftyMegabyteStringIsRefusedNamingTheLimit(String command) throws Exception {
    Path manifest = manifest(command, "main.wasm", "args = [\"" + "a".repeat(50_000_000) + "\"]");

    assertRefused(
        parigot(command, manifest.toString()),
        "app.toml: more than 1048576 bytes; a manifest may be at most 1048576 (1 MiB)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"check", "run", "test"})
  void aKernelNameNoKernelServiceProvidesIsRefusedByEveryCommandAlike(String command)
      throws Exception {
    Files.copy(HELLO_MAIN, dir.resolve("main.wasm"));
    Path manifest = manifest(command, "main.wasm", "requires = [\"parigot.nuke.v1.Nuke\"]");

    assertRefused(
        parigot(command, manifest.toString()),
        "program 'p' requires parigot.nuke.v1.Nuke, which this kernel does not serve");
  }

  @Test
  void checkAcceptsTheKernelServicesNames() throws Exception {
    Files.copy(HELLO_MAIN, dir.resolve("main.wasm"));
    Path manifest =
        manifest(
            "check",
            "main.wasm",
            "requires = [\"parigot.kv.v1.KV\", \"parigot.queue.v1.Queue\", \"parigot.log.v1.Log\","
                + " \"parigot.clock.v1.Clock\", \"parigot.file.v1.File\", \"parigot.test.v1.Test\","
                + " \"parigot.http.v1.Client\", \"parigot.http.v1.Body\"]");

    assertThat(parigot("check", manifest.toString())).as(err.toString()).isZero();
    assertThat(dir.resolve(".parigot")).as("check opens no data").doesNotExist();
  }

  @Test
  void aRunThatFailsToLaunchSaysWhyAndNotThatItWasInterrupted() throws Exception {
    // Its own JVM: the shutdown hooks, which printed "interrupted", run only when a JVM exits.
    Files.copy(HELLO_MAIN, dir.resolve("main.wasm"));
    Path manifest = manifest("run", "main.wasm", "requires = [\"parigot.nuke.v1.Nuke\"]");
    Path stderr = dir.resolve("stderr");
    Process p =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                manifest.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(stderr.toFile())
            .start();

    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the run ended").isTrue();
    assertThat(p.exitValue()).isEqualTo(Main.REFUSED);
    List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
    assertThat(lines)
        .contains(
            "parigot: program 'p' requires parigot.nuke.v1.Nuke, which this kernel does not"
                + " serve")
        .noneMatch(l -> l.contains("interrupted"));
  }

  @Test
  void aFailureNoCheckForesawEndsWithOneLineAndExitCodeThree() {
    CommandLine cli =
        Main.commandLine()
            .addSubcommand(new Throws(new IllegalStateException("what no check foresaw")));

    assertThat(parigot(cli, "throws")).isEqualTo(Main.FAILED);
    assertThat(err.toString())
        .isEqualTo(
            "parigot: failed: java.lang.IllegalStateException: what no check foresaw"
                + System.lineSeparator());
  }

  @Test
  void anErrorOfTheJvmEndsWithOneLineAndExitCodeThreeToo() {
    CommandLine cli = Main.commandLine().addSubcommand(new Throws(new StackOverflowError()));

    assertThat(parigot(cli, "throws")).isEqualTo(Main.FAILED);
    assertThat(err.toString())
        .isEqualTo("parigot: failed: java.lang.StackOverflowError" + System.lineSeparator());
  }

  /** A command that fails as nothing in parigot should. */
  @Command(name = "throws")
  private record Throws(Throwable failure) implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      switch (failure) {
        case Exception e -> throw e;
        case Error e -> throw e;
        default -> throw new AssertionError(failure);
      }
    }
  }
}
