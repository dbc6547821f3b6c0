package dev.parigot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain WASI C programs (host/src/test/guests/wasi and examples/wasi, built with wasi-libc only)
 * run as {@code parigot run} runs them: directory grants, confinement, standard streams and exit
 * codes.
 */
class WasiProgramsTest {
  private static final Path GUESTS =
      Path.of("src", "test", "guests", "wasi").toAbsolutePath().normalize();
  private static final Path UPPER = AppHostTest.EXAMPLES.resolve("wasi").resolve("upper.wasm");
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final List<String> shown = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream rawOut = new ByteArrayOutputStream();
  private final ByteArrayOutputStream rawErr = new ByteArrayOutputStream();
  private byte[] stdin = new byte[0];

  private final Kernel.Output output =
      new Kernel.Output() {
        @Override
        public void line(String process, boolean stderr, String line) {
          shown.add(process + (stderr ? " ! " : ": ") + line);
        }

        @Override
        public void ended(String process, int code, Optional<String> killReason) {
          shown.add("ended " + process + " " + code + killReason.map(r -> " " + r).orElse(""));
        }

        @Override
        public InputStream stdin() {
          return new ByteArrayInputStream(stdin);
        }

        @Override
        public OutputStream raw(boolean stderr) {
          return stderr ? rawErr : rawOut;
        }
      };

  /** Runs the app of manifest {@code toml} (%s: the guests' folder) to its end: its exit code. */
  private int run(String toml) throws Exception {
    Path file = dir.resolve("app.toml");
    Files.writeString(file, toml.replace("%s", GUESTS.toString()));
    try (RunningApp app = AppHost.builder(Manifest.load(file)).output(output).build().start()) {
      return app.awaitMains(LIMIT).orElseThrow();
    }
  }

  private static String streams(String args, String wasi) {
    return """
    app = "streams"
    [program.streams]
    wasm = "%s/streams.wasm"
    role = "main"
    args = ARGS
    [program.streams.wasi]
    WASI
    """
        .replace("ARGS", args)
        .replace("WASI", wasi);
  }

  @Test
  void aProgramReadsAndWritesItsDirectoriesThroughStdioAndPosixCalls() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("ro"));
    Files.writeString(dir.resolve("ro/given.txt"), "read me\n");

    int code =
        run(
            """
            app = "fs"
            [program.fs_checks]
            wasm = "%s/fs_checks.wasm"
            role = "main"
            [program.fs_checks.wasi]
            dirs = { "/data" = "data", "/ro" = { path = "ro", mode = "ro" } }
            """);

    assertThat(shown).filteredOn(l -> l.contains(" ! ")).isEmpty();
    assertThat(code).isZero();
    assertThat(shown)
        .anyMatch(l -> l.matches("fs_checks\\[\\d+\\]: fs_checks: \\d+ checks passed"));
    // What the program left, seen from the host.
    assertThat(names(dir.resolve("data"))).containsExactly("top.txt");
    assertThat(dir.resolve("data/top.txt")).hasContent("top");
    assertThat(names(dir.resolve("ro"))).containsExactly("given.txt");
    assertThat(dir.resolve("ro/given.txt")).hasContent("read me\n");
    // mkdir's staging directory beside the grant is gone once the program has ended.
    assertThat(names(dir)).doesNotContain(".data.parigot-mkdir");
  }

  @Test
  void noPathLeavesAGrantedDirectoryThroughDotDotAbsolutePathsOrLinks() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "secret\n");
    Files.writeString(data.resolve("ok.txt"), "ok");
    Files.createDirectories(data.resolve("sub"));
    Files.createSymbolicLink(data.resolve("out_link"), Path.of("../outside"));
    Files.createSymbolicLink(data.resolve("file_link"), Path.of("../outside/secret.txt"));

    int code =
        run(
            """
            app = "escapes"
            [program.escapes]
            wasm = "%s/escapes.wasm"
            role = "main"
            [program.escapes.wasi]
            dirs = { "/data" = "data" }
            """);

    assertThat(shown).filteredOn(l -> l.contains(" ! ")).isEmpty();
    assertThat(code).isZero();
    assertThat(shown).anyMatch(l -> l.matches("escapes\\[\\d+\\]: escapes: \\d+ tries refused"));
    assertThat(names(outside)).containsExactly("secret.txt");
    assertThat(outside.resolve("secret.txt")).hasContent("secret\n");
    assertThat(names(data)).containsExactly("file_link", "ok.txt", "out_link", "sub");
    assertThat(names(dir)).containsExactlyInAnyOrder("app.toml", "data", "outside");
  }

  @Test
  void aCopyMadeBetweenTwoGrantedDirectoriesHasTheExpectedBytesAsUnderNodesWasi() throws Exception {
    byte[] input = sample();
    Path in = Files.createDirectories(dir.resolve("in"));
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.write(in.resolve("sample.bin"), input);

    int code =
        run(
            """
            app = "upper"
            [program.upper]
            wasm = "UPPER"
            role = "main"
            args = ["sample.bin"]
            [program.upper.wasi]
            dirs = { "/in" = { path = "in", mode = "ro" }, "/out" = "out" }
            """
                .replace("UPPER", UPPER.toString()));

    assertThat(code).isZero();
    byte[] parigot = Files.readAllBytes(out.resolve("sample.bin"));
    assertThat(parigot).isEqualTo(upper(input));

    assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
    Path nodeOut = Files.createDirectories(dir.resolve("node-out"));
    var node =
        new ProcessBuilder(
                "/usr/bin/node",
                "--experimental-wasi-unstable-preview1",
                Path.of("src", "test", "node", "run-wasi.mjs").toAbsolutePath().toString(),
                UPPER.toString(),
                "/in=" + in,
                "/out=" + nodeOut,
                "--",
                "sample.bin")
            .redirectErrorStream(true)
            .start();
    String said = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(said).isZero();
    assertThat(Files.readAllBytes(nodeOut.resolve("sample.bin"))).isEqualTo(parigot);
  }

  /** Every byte value, then text with line ends of both kinds. */
  private static byte[] sample() {
    var b = new ByteArrayOutputStream();
    for (int i = 0; i < 256; i++) {
      b.write(i);
    }
    b.writeBytes("Hello, Parigot!\r\nzürich\n".getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  /** What upper makes of {@code input}: ASCII letters upper-cased, every other byte kept. */
  private static byte[] upper(byte[] input) {
    byte[] out = input.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] >= 'a' && out[i] <= 'z') {
        out[i] -= 'a' - 'A';
      }
    }
    return out;
  }

  @Test
  void theLastLineWithoutANewlineIsShownOnStdoutAndStderr() throws Exception {
    int code = run(streams("[\"tail\"]", ""));

    assertThat(code).isZero();
    assertThat(shown)
        .anyMatch(l -> l.matches("streams\\[\\d+\\]: first"))
        .anyMatch(l -> l.matches("streams\\[\\d+\\]: last without newline"))
        .anyMatch(l -> l.matches("streams\\[\\d+\\] ! err last"));
  }

  @Test
  void rawStdoutPassesBytesThroughUntouched() throws Exception {
    int code = run(streams("[\"binary\"]", "stdout = \"raw\""));

    assertThat(code).isZero();
    assertThat(rawOut.toByteArray()).containsExactly(0xff, 0xfe, 'a', 0x80, '\r', '\n', 0xc3);
    assertThat(shown).noneMatch(l -> l.startsWith("streams["));
  }

  @Test
  void aMainThatInheritsStdinReadsTheHostsStdin() throws Exception {
    stdin = sample();

    int code = run(streams("[]", "stdin = \"inherit\"\nstdout = \"raw\""));

    assertThat(code).isZero();
    assertThat(rawOut.toByteArray()).isEqualTo(sample());
  }

  @Test
  void stdinIsAtEndOfFileUnlessInherited() throws Exception {
    stdin = sample();

    int code = run(streams("[]", "stdout = \"raw\""));

    assertThat(code).isZero();
    assertThat(rawOut.toByteArray()).isEmpty();
  }

  @Test
  void rawStderrPassesBytesThroughWhileStdoutStaysInLines() throws Exception {
    int code = run(streams("[\"tail\"]", "stderr = \"raw\""));

    assertThat(code).isZero();
    assertThat(rawErr.toString(StandardCharsets.UTF_8)).isEqualTo("err first\nerr last");
    assertThat(shown).anyMatch(l -> l.matches("streams\\[\\d+\\]: last without newline"));
  }

  @Test
  void anExitCodeOutside0To255MakesTheAppExit1() throws Exception {
    assertThat(run(streams("[\"exit\", \"256\"]", ""))).isEqualTo(1);
    assertThat(run(streams("[\"exit\", \"-1\"]", ""))).isEqualTo(1);
    assertThat(run(streams("[\"exit\", \"255\"]", ""))).isEqualTo(255);
  }

  @Test
  void aMainKilledByTheKernelIsToldApartFromOneThatExits70() throws Exception {
    assertThat(run(streams("[\"exit\", \"70\"]", ""))).isEqualTo(70);
    assertThat(shown).anyMatch(l -> l.matches("ended streams\\[\\d+\\] 70"));

    assertThat(run(streams("[\"abort\"]", ""))).isEqualTo(137);
    assertThat(shown).anyMatch(l -> l.matches("(?s)ended streams\\[\\d+\\] 70 trap: .*"));
  }

  private static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }
}
