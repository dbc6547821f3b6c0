package dev.parigot.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example folders, as the tests run them. */
final class Examples {
  private Examples() {}

  /**
   * Copies the files of examples/{@code name} (not a data directory an earlier run left there) into
   * {@code dir}, so that the app's data directory, next to its manifest by default, lands there and
   * not in the source tree.
   *
   * @return {@code dir}
   */
  static Path copy(String name, Path dir) throws IOException {
    try (var files = Files.list(Path.of(name))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return dir;
  }
}
