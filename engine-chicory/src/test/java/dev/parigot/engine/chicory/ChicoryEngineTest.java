package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.engine.spi.Engine;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ChicoryEngineTest {
  @Test
  void theKernelFindsTheEngineWithServiceLoaderAndItNamesChicorysVersion() {
    Engine engine = ServiceLoader.load(Engine.class).findFirst().orElseThrow();
    assertThat(engine).isInstanceOf(ChicoryEngine.class);
    assertThat(engine.name()).matches("chicory \\d+\\.\\d+\\.\\d+");
  }

  @Test
  void theSameBytesCompileOnce() {
    var engine = new ChicoryEngine();
    byte[] echo = Corpus.module("echo");
    assertThat(engine.compile("a.wasm", echo)).isSameAs(engine.compile("b.wasm", echo.clone()));
  }
}
