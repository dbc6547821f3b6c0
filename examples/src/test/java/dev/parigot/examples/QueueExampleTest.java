package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs examples/queue as {@code ./parigot test examples/queue/app.toml} and {@code ./parigot run
 * examples/queue/app.toml} do, on a copy of the example so its data directory lands in a temporary
 * folder.
 */
class QueueExampleTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int parigot(String command) throws Exception {
    Examples.copy("queue", dir);
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(command, dir.resolve("app.toml").toString());
  }

  @Test
  void theQueueTestPassesAndItsWorkersAreNotSuitesOfTheirOwn() throws Exception {
    int code = parigot("test");

    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .contains("  PASS  every job is processed at least once and the queue drains (7 checks, ")
        .contains("  PASS  a nacked job is delivered again and then processed (6 checks, ")
        .doesNotContain("worker[")
        .contains("2 cases: 2 passed, 0 failed, 0 skipped\n");
  }

  @Test
  void runProcessesEveryJobAndDrainsTheQueue() throws Exception {
    int code = parigot("run");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains(
            "main[1]: sent 10 jobs to 3 workers\n"
                + "main[1]: done 10 jobs: the sum of their squares is 385\n"
                + "main[1]: queue jobs: 0 waiting, 0 in flight\n");
  }
}
