package dev.parigot.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The committed generated files must be exactly what {@link AbiGenerator} renders from
 * abi/abi.toml. With the system property {@code abi.regenerate=true} (what scripts/regen-abi sets)
 * the test writes the files that differ instead, printing each one it writes.
 */
class GeneratedFilesAreFreshTest {
  private static final boolean REGENERATE = Boolean.getBoolean("abi.regenerate");

  @TestFactory
  Stream<DynamicTest> eachGeneratedFileMatchesAbiToml() throws IOException {
    Path root = repoRoot();
    Map<Path, String> files =
        AbiGenerator.generate(Files.readString(root.resolve(AbiGenerator.SOURCE)));
    return files.entrySet().stream()
        .map(file ->
            dynamicTest(
                file.getKey().toString(),
                () -> check(root.resolve(file.getKey()), file.getKey(), file.getValue())));
  }

  private static void check(Path file, Path name, String expected) throws IOException {
    String actual = Files.exists(file) ? Files.readString(file) : null;
    if (REGENERATE) {
      // Unchanged files are left alone so that their timestamps do not trigger rebuilds.
      if (!expected.equals(actual)) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, expected);
        System.out.println("regen-abi: wrote " + name);
      }
      return;
    }
    assertThat(actual).as("%s is stale: run scripts/regen-abi", name).isEqualTo(expected);
  }

  /** Maven runs tests in abi/; an IDE may run them elsewhere in the repository. */
  static Path repoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(AbiGenerator.SOURCE))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no " + AbiGenerator.SOURCE + " in " + Path.of("").toAbsolutePath() + " or above");
  }
}
