package dev.parigot.protoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ParigotGen's main, called with the arguments src/it/maven-binding/pom.xml gives it through
 * exec-maven-plugin's java goal (which calls main in Maven's own JVM).
 */
class GenMainTest {
  private static final Path PROTO = Path.of("src/test/proto");
  private static final Path GOLDEN = Path.of("src/test/golden");

  /** Where the build copies protoc (maven-dependency-plugin, as the sample pom does). */
  private static final Path PROTOC = Path.of("target/protoc");

  @Test
  void aDirectoryArgumentGeneratesEveryProtoBelowItAsTheGoldenFiles(@TempDir Path out)
      throws Exception {
    ParigotGen.main(
        new String[] {
          "--protoc",
          PROTOC.toString(),
          "--out",
          out.toString(),
          "-I",
          PROTO.toString(),
          PROTO.resolve("hello").toString()
        });

    for (String f : new String[] {"hello/v1/greeter.pg.h", "hello/v1/greeter.pg.c"}) {
      assertThat(out.resolve(f)).hasSameTextualContentAs(GOLDEN.resolve(f));
    }
    assertThat(Files.exists(out.resolve("test/v1/everything.pg.h"))).isFalse();
  }

  @Test
  void namedFilesAndAnAttachedIncludeWorkToo(@TempDir Path out) throws Exception {
    ParigotGen.main(
        new String[] {
          "--out",
          out.toString(),
          "-I" + PROTO,
          "--protoc",
          PROTOC.toString(),
          PROTO.resolve("test/v1/common.proto").toString()
        });

    assertThat(out.resolve("test/v1/common.pg.c"))
        .hasSameTextualContentAs(GOLDEN.resolve("test/v1/common.pg.c"));
  }

  @Test
  void failuresAreThrownNotExited(@TempDir Path out) {
    assertThatThrownBy(() -> ParigotGen.main(new String[] {PROTO.toString()}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--out is required");
    assertThatThrownBy(() -> ParigotGen.main(new String[] {"--out", out.toString(), "--lang"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown option --lang");
    assertThatThrownBy(() ->
            ParigotGen.main(
                new String[] {"--out", out.toString(), "--protoc", "no/such/protoc", "x.proto"}))
        .isInstanceOf(ParigotGen.GenerationException.class)
        .hasMessageContaining("no/such/protoc is not a file");
  }
}
