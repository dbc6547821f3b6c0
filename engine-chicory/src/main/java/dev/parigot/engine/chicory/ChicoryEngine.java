package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.Instance;
import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The Chicory engine: modules compiled to JVM bytecode, with a preemption poll at every call and
 * loop back-edge ({@link Preemption}) and one flat array as each process's memory ({@link
 * LinearMemory}). Each distinct module is compiled once per engine. Found by the kernel with {@link
 * java.util.ServiceLoader}.
 */
public final class ChicoryEngine implements Engine {
  private final ModuleLoader loader = new ModuleLoader();

  /** An engine with its own compiled-module cache. */
  public ChicoryEngine() {}

  @Override
  public String name() {
    return "chicory " + version();
  }

  @Override
  public CompiledModule compile(String label, byte[] wasm) {
    return loader.load(label, wasm);
  }

  /** Chicory's version, from the pom.properties its jar carries; "unknown" without one. */
  private static String version() {
    var properties = new Properties();
    try (InputStream in =
        Instance.class.getResourceAsStream(
            "/META-INF/maven/com.dylibso.chicory/runtime/pom.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // The version is for messages only.
    }
    return properties.getProperty("version", "(unknown version)");
  }
}
