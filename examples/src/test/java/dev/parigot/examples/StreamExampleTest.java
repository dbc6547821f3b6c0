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
 * Runs examples/stream exactly as {@code ./parigot run examples/stream/app.toml} does, on a copy of
 * the example so its data directory lands in a temporary folder.
 */
class StreamExampleTest {
  @TempDir Path dir;

  @Test
  void mainPrintsEachStreamedItemAsItArrivesThenDone() throws Exception {
    List<String> main = new CopyOnWriteArrayList<>();
    AppHost host =
        AppHost.builder(Manifest.load(Examples.copy("stream", dir).resolve("app.toml")))
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
            "item 1 of 5", "item 2 of 5", "item 3 of 5", "item 4 of 5", "item 5 of 5", "done");
  }
}
