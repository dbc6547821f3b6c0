package dev.parigot.sdk.c;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sdk/c/parigot-cc's refusals: each names what is wrong before anything is compiled or generated;
 * and what it links on its own. Its working path, from .c and .proto files to a .wasm, is what
 * scripts/build-guests --check exercises on every example (CI runs it), and the examples' tests run
 * the result.
 */
class ParigotCcTest {
  private static final Path PARIGOT_CC = Path.of("..", "parigot-cc").toAbsolutePath().normalize();

  record Run(int code, String stderr) {}

  @TempDir Path dir;

  @Test
  void withoutAnOutputFileItSaysSo() throws Exception {
    Files.writeString(dir.resolve("main.c"), "int main(void) { return 0; }\n");

    Run run = parigotCc("main.c");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.stderr()).contains("no output file: give -o OUT.wasm");
  }

  @Test
  void aMissingProtoIsNamedBeforeAnythingIsGenerated() throws Exception {
    Files.writeString(dir.resolve("main.c"), "int main(void) { return 0; }\n");

    Run run = parigotCc("-o", "main.wasm", "main.c", "nowhere.proto");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.stderr()).contains("parigot-cc: nowhere.proto: no such file");
    assertThat(dir.resolve("main.wasm")).doesNotExist();
  }

  @Test
  void aFileThatIsNeitherCNorProtoIsRefused() throws Exception {
    Run run = parigotCc("-o", "main.wasm", "main.cc");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.stderr()).contains("main.cc: not a .c or .proto file");
  }

  @Test
  void aTestProgramGetsTheTestRuntimeWithoutNamingIt() throws Exception {
    Files.writeString(
        dir.resolve("t_test.c"),
        """
        #include "parigot_test.h"

        int main(void) {
          PG_TEST_CASE("one") { pg_expect_true(1 + 1 == 2); }
          return pg_test_exit_code();
        }
        """);
    Path runtime = PARIGOT_CC.resolveSibling("src/test/parigot_test.c");

    Run bare = parigotCc("-o", "bare.wasm", "t_test.c");
    // Named as well, as scripts/build-guests and older makefiles do: compiled once all the same.
    Run named = parigotCc("-o", "named.wasm", "t_test.c", runtime.toString());

    assertThat(bare.code()).as(bare.stderr()).isZero();
    assertThat(bare.stderr()).doesNotContain("undefined symbol");
    assertThat(named.code()).as(named.stderr()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("bare.wasm")))
        .isEqualTo(Files.readAllBytes(dir.resolve("named.wasm")));
  }

  private Run parigotCc(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(PARIGOT_CC.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
    p.getOutputStream().close();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), stderr);
  }
}
