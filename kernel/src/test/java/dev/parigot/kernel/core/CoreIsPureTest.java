package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core (this package) holds the ABI's semantics and nothing else: it knows no engine, does no
 * IO and reads no clock but the one it is given. Checked on the compiled classes, so that a fully
 * qualified name or a reflective helper cannot slip past an import check.
 */
class CoreIsPureTest {
  /**
   * Classes whose use means an engine or IO, by internal-name prefix. A {@code Path} is a value the
   * core may hand on (a program's module file); what reads through one is forbidden.
   */
  private static final List<String> FORBIDDEN_CLASSES =
      List.of(
          "com/dylibso/",
          "org/objectweb/asm/",
          "dev/parigot/engine/chicory/",
          "java/io/",
          "java/nio/file/Files",
          "java/nio/file/Paths",
          "java/nio/file/FileSystem",
          "java/nio/file/spi/",
          "java/nio/channels/",
          "java/net/",
          "java/sql/",
          "java/lang/ProcessBuilder",
          "java/lang/Runtime$",
          "java/time/Clock",
          "java/time/Instant");

  /** Classes forbidden by their exact name. */
  private static final Set<String> FORBIDDEN_EXACT = Set.of("java/lang/Runtime");

  /** Members of java.lang.System that read the host's clock, streams or environment. */
  private static final Set<String> FORBIDDEN_SYSTEM_MEMBERS =
      Set.of("nanoTime", "currentTimeMillis", "out", "err", "in", "getenv", "getProperty", "exit");

  @Test
  void noClassOfTheCoreUsesAnEngineIoOrTheHostClock() throws IOException {
    List<String> violations = new ArrayList<>();
    List<Path> classes = coreClasses();
    assertThat(classes).as("the core's compiled classes").hasSizeGreaterThan(10);
    for (Path file : classes) {
      ClassModel model = ClassFile.of().parse(file);
      for (PoolEntry entry : model.constantPool()) {
        String used = forbidden(entry);
        if (used != null) {
          violations.add(model.thisClass().asInternalName() + " uses " + used);
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theCheckCatchesAClassThatReadsAFile() throws IOException {
    // This test class itself reads files: the same check must flag it.
    var self = ClassFile.of().parse(classFile(CoreIsPureTest.class));
    assertThat(self.constantPool().iterator())
        .toIterable()
        .map(CoreIsPureTest::forbidden)
        .contains("java/nio/file/Files");
  }

  private static String forbidden(PoolEntry entry) {
    if (entry instanceof ClassEntry c) {
      String name = c.asInternalName();
      return FORBIDDEN_EXACT.contains(name) || FORBIDDEN_CLASSES.stream().anyMatch(name::startsWith)
          ? name
          : null;
    }
    if (entry instanceof MemberRefEntry m
        && m.owner().asInternalName().equals("java/lang/System")
        && FORBIDDEN_SYSTEM_MEMBERS.contains(m.name().stringValue())) {
      return "System." + m.name().stringValue();
    }
    return null;
  }

  private static List<Path> coreClasses() throws IOException {
    Path dir = classFile(KernelImpl.class).getParent();
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
    }
  }

  private static Path classFile(Class<?> type) {
    try {
      return Path.of(type.getResource(type.getSimpleName() + ".class").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
