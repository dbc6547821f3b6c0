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
 * Runs examples/hello exactly as {@code ./parigot run examples/hello/app.toml} does, on a copy of
 * the example so its data directory lands in a temporary folder.
 */
class HelloExampleTest {
  @TempDir Path dir;

  @Test
  void mainPrintsTheGreetingFromTheGreeterServiceAndExitsZero() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    AppHost host =
        AppHost.builder(Manifest.load(Examples.copy("hello", dir).resolve("app.toml")))
            .output((process, stderr, line) -> lines.add(process + " " + line))
            .build();
    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(0);
    }
    assertThat(lines).anyMatch(l -> l.startsWith("main[") && l.endsWith("] Hello, parigot!"));
  }
}
