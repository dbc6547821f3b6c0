package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code parigot exec} running examples/wasi's plain WASI command, and refusing bad options. */
class ExecCommandTest {
  private static final Path UPPER =
      Path.of("..", "examples", "wasi", "upper.wasm").toAbsolutePath().normalize();

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int parigot(String... args) {
    return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void execRunsAWasiCommandOnTheDirectoriesItIsGiven() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    Path result = Files.createDirectories(dir.resolve("out"));
    Files.writeString(in.resolve("a.txt"), "shout, please\n");

    int code =
        parigot(
            "exec",
            UPPER.toString(),
            "--dir",
            "/in=" + in + ":ro",
            "--dir",
            "/out=" + result,
            "--",
            "a.txt");

    assertThat(code).as(err.toString()).isZero();
    assertThat(result.resolve("a.txt")).hasContent("SHOUT, PLEASE\n");
  }

  @Test
  void execExitsWithTheProgramsCode() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.createDirectories(dir.resolve("out"));

    // upper exits 1, saying why on its stderr, when the file is missing.
    int code =
        parigot(
            "exec", UPPER.toString(), "--dir", "/in=" + in, "--dir", "/out=" + in, "--", "none");

    assertThat(code).isEqualTo(1);
    assertThat(parigot("exec", UPPER.toString())).isEqualTo(2);
  }

  @Test
  void execRefusesDirectoriesItCannotGrantWithAClearMessage() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));

    assertThat(parigot("exec", UPPER.toString(), "--dir", "in=" + in)).isEqualTo(2);
    assertThat(err.toString()).contains("in is not a guest directory path");

    assertThat(parigot("exec", UPPER.toString(), "--dir", "/in=" + dir.resolve("nope")))
        .isEqualTo(2);
    assertThat(err.toString()).contains("nope is not a directory");

    assertThat(parigot("exec", UPPER.toString(), "--dir", "/in")).isEqualTo(2);
    assertThat(err.toString()).contains("must be GUEST=HOST or GUEST=HOST:ro");

    assertThat(parigot("exec", UPPER.toString(), "--dir", "/a=" + in, "--dir", "/a=" + in))
        .isEqualTo(2);
    assertThat(err.toString()).contains("/a is given twice");

    assertThat(parigot("exec", dir.resolve("missing.wasm").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("missing.wasm: no such file");
  }

  @Test
  void programNamesAndTomlStringsAreMadeSafe() {
    assertThat(ExecCommand.programName(Path.of("/x/My Tool.wasm"))).isEqualTo("my-tool");
    assertThat(ExecCommand.programName(Path.of("7zip.wasm"))).isEqualTo("prog-7zip");
    assertThat(ExecCommand.quote("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c\\u000Ad\"");
  }
}
