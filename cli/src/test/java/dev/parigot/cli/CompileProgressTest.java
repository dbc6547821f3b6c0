package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Engine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A compile that takes a while is shown on stderr; a quick one is not. */
class CompileProgressTest {
  private static final Path MAIN = Path.of("..", "examples", "hello", "main.wasm");

  private final Engine engine = ServiceLoader.load(Engine.class).findFirst().orElseThrow();
  private final StringWriter err = new StringWriter();
  private final CountDownLatch shown = new CountDownLatch(1);
  // Counts the first write down: the engine below compiles only once something was shown.
  private final PrintWriter watched =
      new PrintWriter(
          new Writer() {
            @Override
            public void write(char[] text, int offset, int length) {
              err.write(text, offset, length);
              shown.countDown();
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          });

  /** The real engine, taking as long as the progress line needs to appear. */
  private final Engine slow =
      new Engine() {
        @Override
        public String name() {
          return engine.name();
        }

        @Override
        public CompiledModule compile(String label, byte[] wasm) {
          try {
            assertThat(shown.await(60, TimeUnit.SECONDS)).as("progress shown").isTrue();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          return engine.compile(label, wasm);
        }
      };

  @Test
  void onATerminalALongCompileShowsNameSizeAndTimeOnOneLineThenClearsIt() throws Exception {
    var progress = new CompileProgress(slow, watched, CompileProgress.Mode.TERMINAL, Duration.ZERO);

    CompiledModule module = progress.compile("main.wasm", Files.readAllBytes(MAIN));

    assertThat(module.entries()).contains("_start");
    assertThat(err.toString())
        .matches(
            "(\r\033\\[Kparigot: compiling main\\.wasm \\(44\\.5 KB\\), [0-9]+\\.[0-9] s)+"
                + "\r\033\\[K")
        .doesNotContain("\n");
  }

  @Test
  void withVerboseALongCompileIsSaidOnceOnALineOfItsOwn() throws Exception {
    var progress = new CompileProgress(slow, watched, CompileProgress.Mode.VERBOSE, Duration.ZERO);

    progress.compile("main.wasm", Files.readAllBytes(MAIN));

    assertThat(err.toString())
        .isEqualTo("parigot: compiling main.wasm (44.5 KB)..." + System.lineSeparator());
  }

  @Test
  void aCompileQuickerThanTheDelayShowsNothing() throws Exception {
    var progress =
        new CompileProgress(engine, watched, CompileProgress.Mode.TERMINAL, Duration.ofHours(1));

    CompiledModule module = progress.compile("main.wasm", Files.readAllBytes(MAIN));

    assertThat(module.entries()).contains("_start");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void sizesReadAsPeopleSayThem() {
    assertThat(CompileProgress.size(67)).isEqualTo("67 bytes");
    assertThat(CompileProgress.size(45_557)).isEqualTo("44.5 KB");
    assertThat(CompileProgress.size(21_300_000)).isEqualTo("20.3 MB");
  }
}
