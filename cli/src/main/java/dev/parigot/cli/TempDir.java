package dev.parigot.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** A fresh temporary directory, deleted with what is in it when closed. */
final class TempDir implements AutoCloseable {
  private final Path path;

  private TempDir(Path path) {
    this.path = path;
  }

  /** A new directory under the system's temporary directory, named {@code prefix} and more. */
  static TempDir create(String prefix) throws IOException {
    return new TempDir(Files.createTempDirectory(prefix));
  }

  Path path() {
    return path;
  }

  /** Deletes the directory and its contents; what cannot be deleted stays. */
  @Override
  public void close() {
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // A leftover in the temporary directory harms nothing: the system's cleaner has it.
    }
  }
}
