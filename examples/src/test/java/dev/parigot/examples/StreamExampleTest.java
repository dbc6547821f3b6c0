package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Runs examples/stream exactly as {@code ./parigot run examples/stream/app.toml} does. */
class StreamExampleTest {
  private static final Path APP = Path.of("stream", "app.toml");

  @Test
  void mainPrintsEachStreamedItemAsItArrivesThenDone() throws Exception {
    List<String> main = new CopyOnWriteArrayList<>();
    try (Kernel kernel =
        Kernel.builder()
            .output(
                (process, stderr, line) -> {
                  if (process.startsWith("main[")) {
                    main.add(line);
                  }
                })
            .build()) {
      var app = kernel.launch(Manifest.load(APP));

      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(0);
    }
    assertThat(main)
        .containsExactly(
            "item 1 of 5", "item 2 of 5", "item 3 of 5", "item 4 of 5", "item 5 of 5", "done");
  }
}
