package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's AOT cache options (scripts/kernel-jvm-options, parigot_aot_options) on a cache
 * that cannot be used: the CLI runs as without one, and the JVM says nothing about it.
 */
class AotCacheOptionsTest {
  private static final Path SCRIPTS = Path.of("..", "scripts").toAbsolutePath().normalize();

  @TempDir Path dir;

  /** {@code parigot --version} run by bash with the launcher's options for {@code cache}. */
  private String versionWith(Path cache) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                "bash",
                "-c",
                ". \"$1/kernel-jvm-options\" && parigot_aot_options \"$2\" && exec \"$3\""
                    + " \"${PARIGOT_AOT_OPTIONS[@]}\" -cp \"$4\" dev.parigot.cli.Main --version",
                "test",
                SCRIPTS.toString(),
                cache.toString(),
                java.toString(),
                System.getProperty("java.class.path"))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void aMissingCacheIsRunWithoutSilently() throws Exception {
    assertThat(versionWith(dir.resolve("none.aot"))).isEqualTo("parigot 0.1.0 (ABI v1)\n");
  }

  @Test
  void aDamagedCacheIsRunWithoutSilently() throws Exception {
    Path junk = dir.resolve("junk.aot");
    byte[] bytes = new byte[64 * 1024];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    Files.write(junk, bytes);

    assertThat(versionWith(junk)).isEqualTo("parigot 0.1.0 (ABI v1)\n");
  }

  @Test
  void anEmptyCacheIsRunWithoutSilently() throws Exception {
    assertThat(versionWith(Files.createFile(dir.resolve("empty.aot"))))
        .isEqualTo("parigot 0.1.0 (ABI v1)\n");
  }
}
