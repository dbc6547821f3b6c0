package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.Instance;
import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Engine;
import dev.parigot.engine.spi.ModuleCache;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * The Chicory engine: modules compiled to JVM bytecode, with a preemption poll at every call and
 * loop back-edge ({@link Preemption}) and one flat array as each process's memory ({@link
 * LinearMemory}). Each distinct module is compiled once per engine, and once per {@link
 * ModuleCache} for engines made by {@link #withCache}. Found by the kernel with {@link
 * java.util.ServiceLoader}.
 */
public final class ChicoryEngine implements Engine {
  private final ModuleLoader loader;

  /** An engine that keeps the modules it compiled in memory only. */
  public ChicoryEngine() {
    this(new ModuleLoader(Optional.empty()));
  }

  private ChicoryEngine(ModuleLoader loader) {
    this.loader = loader;
  }

  @Override
  public String name() {
    return "chicory " + chicoryVersion();
  }

  @Override
  public CompiledModule compile(String label, byte[] wasm) {
    return loader.load(label, wasm);
  }

  /** A new engine, with nothing compiled in memory, that keeps modules in {@code cache}. */
  @Override
  public Engine withCache(ModuleCache cache) {
    return new ChicoryEngine(new ModuleLoader(Optional.of(cache)));
  }

  /** Chicory's version, from the pom.properties its jar carries; "unknown" without one. */
  static String chicoryVersion() {
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
