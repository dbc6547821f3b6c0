package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/** Builds apps made by {@code parigot new} as a user does: make, with this build's parigot. */
final class Templates {
  private Templates() {}

  /**
   * A {@code parigot} command in {@code dir} that runs this JVM's classes, for sdk/c/parigot-cc's
   * {@code parigot gen} ($PARIGOT): the launcher would build the CLI again in the middle of the
   * build that tests it.
   */
  static Map<String, String> buildEnv(Path dir) throws IOException {
    Path script = dir.resolve("parigot");
    Files.writeString(
        script,
        "#!/bin/sh\nexec '"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' -cp '"
            + System.getProperty("java.class.path")
            + "' "
            + Main.class.getName()
            + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Map.of("PARIGOT", script.toString());
  }

  /** Runs make in {@code app}; its output if it failed. */
  static void make(Path app, Map<String, String> env) throws Exception {
    var builder =
        new ProcessBuilder(List.of("make", "-C", app.toString())).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process make = builder.start();
    String output;
    try (InputStream in = make.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(make.waitFor()).as("make in %s:%n%s", app, output).isZero();
  }
}
