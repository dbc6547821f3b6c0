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
 * Runs examples/polyglot as {@code ./parigot run examples/polyglot/app.toml} does: an
 * AssemblyScript client calls a C greeter, and a C client an AssemblyScript greeter.
 */
class PolyglotExampleTest {
  @TempDir Path dir;

  @Test
  void eachClientIsGreetedByTheServiceInTheOtherLanguage() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    AppHost host =
        AppHost.builder(Manifest.load(Examples.copy("polyglot", dir).resolve("app.toml")))
            .output((process, stderr, line) -> lines.add(process + " " + line))
            .build();
    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(0);
    }
    assertThat(lines)
        .anyMatch(l -> l.startsWith("main_as[") && l.endsWith("] Hello, AssemblyScript! (from C)"))
        .anyMatch(l -> l.startsWith("main[") && l.endsWith("] Hello, C! (from AssemblyScript)"));
  }
}
