package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.DeniedException;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel services' names known without opening them, as parigot check uses them. */
class KernelNamesTest {
  @TempDir Path dir;

  @Test
  void theyAreTheNamesThatBuiltServicesServe() {
    try (var services = KernelServices.builder().dataDir(dir.resolve("data")).build()) {
      assertThat(KernelNames.all()).containsExactlyInAnyOrderElementsOf(services.names());
    }
  }

  @Test
  void aKernelTheyAreDeclaredInVerifiesAKernelNameAsALaunchWouldAndRefusesAnUnservedOne() {
    Manifest uses =
        Manifest.parse(
            """
            app = "names"
            [program.main]
            wasm = "main.wasm"
            role = "main"
            requires = ["parigot.kv.v1.KV", "parigot.nuke.v1.Nuke"]
            """,
            Path.of("..", "examples", "hello", "app.toml"));

    try (Kernel kernel = KernelNames.declare(Kernel.builder()).build()) {
      assertThat(kernel.services().lookup("parigot.kv.v1.KV")).isPresent();
      assertThatThrownBy(() -> kernel.verify(uses))
          .isInstanceOf(DeniedException.class)
          .hasMessage(
              "program 'main' requires parigot.nuke.v1.Nuke, which this kernel does not serve");
    }
  }
}
