package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Runs examples/errors exactly as {@code ./parigot run examples/errors/app.toml} does. */
class ErrorsExampleTest {
  private static final Path APP = Path.of("errors", "app.toml");

  @Test
  void mainShowsAnApplicationErrorATimeoutAndADeniedName() throws Exception {
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
            "Open(\"guess\"): wrong key (application error 1): that key does not open the vault",
            "Wait with a 200 ms deadline: timed out",
            "connect errors.v1.Secret: not permitted");
  }
}
