package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Runs examples/hello exactly as {@code ./parigot run examples/hello/app.toml} does. */
class HelloExampleTest {
  private static final Path APP = Path.of("hello", "app.toml");

  @Test
  void mainPrintsTheGreetingFromTheGreeterServiceAndExitsZero() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (Kernel kernel =
        Kernel.builder().output((process, stderr, line) -> lines.add(process + " " + line)).build()) {
      var app = kernel.launch(Manifest.load(APP));

      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(0);
    }
    assertThat(lines).anyMatch(l -> l.startsWith("main[") && l.endsWith("] Hello, parigot!"));
  }
}
