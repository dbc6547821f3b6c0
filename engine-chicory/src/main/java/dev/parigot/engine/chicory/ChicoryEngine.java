package dev.parigot.engine.chicory;

import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Engine;

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

  private static String version() {
    String v = com.dylibso.chicory.runtime.Instance.class.getPackage().getImplementationVersion();
    return v == null ? "(unknown version)" : v;
  }
}
