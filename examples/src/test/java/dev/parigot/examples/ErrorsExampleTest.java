package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs examples/errors exactly as {@code ./parigot run examples/errors/app.toml} does, on a copy of
 * the example so its data directory lands in a temporary folder.
 */
class ErrorsExampleTest {
  @TempDir Path dir;

  @Test
  void mainShowsAnApplicationErrorATimeoutAndADeniedName() throws Exception {
    List<String> main = new CopyOnWriteArrayList<>();
    AppHost host =
        AppHost.builder(Manifest.load(Examples.copy("errors", dir).resolve("app.toml")))
            .output((process, stderr, line) -> {
              if (process.startsWith("main[")) {
                main.add(line);
              }
            })
            .build();
    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(0);
    }
    assertThat(main)
        .containsExactly(
            "Open(\"guess\"): wrong key (application error 1001): that key does not open the vault",
            "Wait with a 200 ms deadline: timed out",
            "connect errors.v1.Secret: not permitted");
  }
}
