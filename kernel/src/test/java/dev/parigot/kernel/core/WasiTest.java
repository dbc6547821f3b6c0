package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.engine.spi.GuestIo;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ManifestException;
import dev.parigot.kernel.WasiSection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's {@code [program.NAME.wasi]} tables, and the host's WASI file functions. */
class WasiTest {
  @TempDir Path dir;

  private Manifest parse(String wasi) {
    return parse("main", wasi);
  }

  private Manifest parse(String role, String wasi) {
    return Manifest.parse(
        """
        app = "w"
        [program.tool]
        wasm = "tool.wasm"
        role = "ROLE"
        [program.tool.wasi]
        WASI
        """
            .replace("ROLE", role)
            .replace("WASI", wasi),
        dir.resolve("app.toml"));
  }

  private String problems(String role, String wasi) {
    try {
      parse(role, wasi);
    } catch (ManifestException e) {
      return e.getMessage();
    }
    throw new AssertionError("the manifest was accepted");
  }

  @Test
  void dirsAreResolvedAgainstTheManifestAndMayBeReadOnly() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("in"));

    Manifest m =
        parse(
            """
            dirs = { "/data" = "data", "/in" = { path = "in", mode = "ro" } }
            stdin = "inherit"
            stdout = "raw"
            """);

    var spec = m.section(WasiSection.KEY).orElseThrow().get("tool");
    assertThat(spec.dirs())
        .containsExactly(
            new GuestIo.Dir("/data", dir.resolve("data"), false),
            new GuestIo.Dir("/in", dir.resolve("in"), true));
    assertThat(spec.inheritStdin()).isTrue();
    assertThat(spec.rawStdout()).isTrue();
    assertThat(spec.rawStderr()).isFalse();
  }

  @Test
  void aManifestWithoutWasiTablesHasNoWasiSection() {
    Manifest m =
        Manifest.parse(
            "app = \"w\"\n[program.tool]\nwasm = \"tool.wasm\"\nrole = \"main\"\n",
            dir.resolve("app.toml"));

    assertThat(m.section(WasiSection.KEY)).isEmpty();
  }

  @Test
  void badWasiTablesAreReportedAllAtOnce() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("file"), "not a directory");

    String problems =
        problems(
            "main",
            """
            stdin = "yes"
            stdout = "bytes"
            colour = "red"
            [program.tool.wasi.dirs]
            "data" = "data"
            "/x/../y" = "data"
            "/gone" = "missing"
            "/f" = "file"
            "/t" = { path = "data", mode = "rx" }
            "/n" = { mode = "ro" }
            "/k" = { path = "data", extra = 1 }
            """);

    assertThat(problems)
        .contains("dirs.data: not a guest directory path")
        .contains("dirs.\"/x/../y\": not a guest directory path")
        .contains("\"missing\" is not a directory")
        .contains("\"file\" is not a directory")
        .contains("mode: must be \"rw\" (the default) or \"ro\", not \"rx\"")
        .contains("path missing")
        .contains("extra: unknown key")
        .contains("stdin: must be \"none\" (the default) or \"inherit\", not \"yes\"")
        .contains("stdout: must be \"lines\" (the default) or \"raw\", not \"bytes\"")
        .contains("colour: unknown key");
  }

  @Test
  void onlyOneMainWithOneReplicaMayInheritStdin() {
    assertThat(problems("service", "stdin = \"inherit\""))
        .contains("only a main program with one replica may read the host's stdin");

    assertThatThrownBy(() ->
            Manifest.parse(
                """
                app = "w"
                [program.a]
                wasm = "a.wasm"
                role = "main"
                [program.a.wasi]
                stdin = "inherit"
                [program.b]
                wasm = "b.wasm"
                role = "main"
                [program.b.wasi]
                stdin = "inherit"
                """,
                dir.resolve("app.toml")))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("program 'a' reads the host's stdin already");
  }

  @Test
  void aGuestPathMustBeAbsoluteWithoutDotSegments() {
    assertThat(List.of("/", "/data", "/a/b", "/ü")).allMatch(GuestIo.Dir::validGuestPath);
    assertThat(List.of("", "data", "/data/", "//x", "/./x", "/a/..", "/a\u0000b", "/a\nb"))
        .noneMatch(GuestIo.Dir::validGuestPath);
  }

  @Test
  void badArgumentsToTheFileFunctionsGetErrnosAndABadPointerTrapsOnlyTheGuest() throws Exception {
    Files.createDirectories(dir.resolve("data/d"));
    Files.writeString(dir.resolve("data/f"), "abc");

    try (var iso = new IsoKernel(dir)) {
      iso.launch(
          """
          app = "bad"
          [program.bad]
          wasm = "wasi-bad-input.wasm"
          role = "main"
          [program.bad.wasi]
          dirs = { "/data" = "data" }
          """,
          "wasi-bad-input");

      // Every check passed (a failed one exits with its number), then the bad pointer trapped.
      assertThat(iso.awaitEnding("bad")).startsWith("70 trap: ").contains("out of bounds");
    }
    assertThat(dir.resolve("data/f")).hasContent("abc");
  }
}
