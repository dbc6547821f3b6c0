package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs examples/kvas (the kv counter in AssemblyScript) as {@code ./parigot test
 * examples/kvas/app.toml} and {@code ./parigot run examples/kvas/app.toml} do, on a copy of the
 * example so its data directory lands in a temporary folder.
 */
class KvasExampleTest {
  @TempDir Path dir;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int parigot(String... args) throws Exception {
    if (!Files.exists(dir.resolve("app.toml"))) {
      Examples.copy("kvas", dir);
    }
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void theAssemblyScriptCounterTestPassesEveryCaseAgainAndAgain() throws Exception {
    String app = dir.resolve("app.toml").toString();
    for (int run = 0; run < 2; run++) {
      int code = parigot("test", app);

      assertThat(code).as(out + "\n" + err).isZero();
      assertThat(out.toString())
          .contains("  PASS  concurrent increments are never lost (5 checks, ")
          .contains(
              "  PASS  a program that does not require parigot.kv.v1.KV cannot reach it"
                  + " (2 checks, ")
          .contains("  PASS  a bad counter name is refused with the service's own code (3 checks, ")
          .contains("6 cases: 6 passed, 0 failed, 0 skipped\n");
    }
  }

  @Test
  void theAssemblyScriptCounterKeepsCountingAcrossRuns() throws Exception {
    String app = dir.resolve("app.toml").toString();

    assertThat(parigot("run", app)).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains(
            "main[2]: visits: 1\nmain[2]: visits: 2\nmain[2]: visits: 3\n"
                + "main[2]: visits is 3 after 3 increments\n");

    assertThat(parigot("run", app)).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("main[2]: visits: 4\n")
        .contains("main[2]: visits is 6 after 3 increments\n");
    assertThat(dir.resolve(".parigot/kvas")).isDirectory();
  }
}
