package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs examples/wasi as {@code ./parigot run examples/wasi/app.toml} does, on a copy of the example
 * (its in/ included, its out/ empty) so that what it writes lands in a temporary folder.
 */
class WasiExampleTest {
  @TempDir Path dir;

  @Test
  void upperCopiesTheGreetingUpperCasedFromTheReadOnlyDirectoryToTheOtherOne() throws Exception {
    Examples.copy("wasi", dir);
    Files.createDirectories(dir.resolve("in"));
    Files.createDirectories(dir.resolve("out"));
    Path greeting = Path.of("wasi", "in", "greeting.txt");
    Files.copy(greeting, dir.resolve("in/greeting.txt"));

    AppHost host =
        AppHost.builder(Manifest.load(dir.resolve("app.toml")))
            .output((process, stderr, line) -> {})
            .build();
    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(0);
    }
    assertThat(dir.resolve("out/greeting.txt"))
        .hasContent(Files.readString(greeting).toUpperCase(Locale.ROOT));
  }
}
