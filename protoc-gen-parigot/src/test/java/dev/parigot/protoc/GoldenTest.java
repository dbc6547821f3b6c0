package dev.parigot.protoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated C for the test protos is exactly what src/test/golden holds, and the generated
 * AssemblyScript what src/test/golden-as/pg holds. The round-trip guests are built from those
 * files, so a change to the generator shows here first. Run with {@code -Dgolden.update=true} to
 * rewrite them, then rebuild the guests with scripts/build-guests.
 */
class GoldenTest {
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @Test
  void generatedCodeMatchesTheGoldenFiles(@TempDir Path out) throws Exception {
    check(Lang.C, TestProtos.GOLDEN, out);
  }

  @Test
  void generatedAssemblyScriptMatchesTheGoldenFiles(@TempDir Path out) throws Exception {
    check(Lang.AS, TestProtos.GOLDEN_AS, out);
  }

  private static void check(Lang lang, Path golden, Path out) throws Exception {
    ParigotGen.generate(TestProtos.ALL, List.of(TestProtos.ROOT), out, null, lang);

    if (UPDATE) {
      deleteTree(golden);
      copyTree(out, golden);
      return;
    }
    assertThat(relativeFiles(golden))
        .as("files under %s (run with -Dgolden.update=true to rewrite)", golden)
        .isEqualTo(relativeFiles(out));
    List<String> diffs = new ArrayList<>();
    for (String name : relativeFiles(out)) {
      String want = Files.readString(golden.resolve(name));
      String got = Files.readString(out.resolve(name));
      if (!want.equals(got)) {
        diffs.add(diff(name, want, got));
      }
    }
    if (!diffs.isEmpty()) {
      fail(
          "generated %s differs from %s (run with -Dgolden.update=true to rewrite):%n%s",
          lang, golden, String.join("\n", diffs));
    }
  }

  /** The first differing lines of each file, enough to see what changed. */
  private static String diff(String name, String want, String got) {
    String[] a = want.split("\n", -1);
    String[] b = got.split("\n", -1);
    StringBuilder s = new StringBuilder("--- golden/" + name + "\n+++ generated/" + name + "\n");
    int shown = 0;
    for (int i = 0; i < Math.max(a.length, b.length) && shown < 20; i++) {
      String x = i < a.length ? a[i] : null;
      String y = i < b.length ? b[i] : null;
      if (x == null || !x.equals(y)) {
        s.append("@@ line ").append(i + 1).append('\n');
        if (x != null) {
          s.append("-").append(x).append('\n');
        }
        if (y != null) {
          s.append("+").append(y).append('\n');
        }
        shown++;
      }
    }
    return s.toString();
  }

  private static TreeSet<String> relativeFiles(Path root) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        files
            .filter(Files::isRegularFile)
            .forEach(p -> names.add(root.relativize(p).toString().replace('\\', '/')));
      }
    }
    return names;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    for (String name : relativeFiles(from)) {
      Path target = to.resolve(name);
      Files.createDirectories(target.getParent());
      Files.copy(from.resolve(name), target);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted((x, y) -> y.compareTo(x)).toList()) {
        Files.delete(p);
      }
    }
  }
}
