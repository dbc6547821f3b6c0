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
 * The AssemblyScript runtime's scenarios (sdk/as/tests/runtime: later replies, streams,
 * cancellation, timeouts, timers, clocks, workers, application and kernel errors), run as {@code
 * ./parigot test sdk/as/tests/runtime/app.toml} does.
 */
class AsRuntimeTest {
  @TempDir Path dir;

  @Test
  void everyScenarioOfTheAssemblyScriptRuntimePasses() throws Exception {
    Examples.copy("../sdk/as/tests/runtime", dir);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("test", dir.resolve("app.toml").toString());

    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .contains("  PASS  a reply given later, from a sleep's callback, arrives (")
        .contains("  PASS  cancelling a call completes it at once, and the server is told (")
        .contains(
            "  PASS  a worker runs an exported function, talks back, and its exit is reported (")
        .contains("13 cases: 13 passed, 0 failed, 0 skipped\n");
  }
}
