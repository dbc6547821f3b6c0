package dev.parigot.engine.spi;

import dev.parigot.errors.ModuleRefusedException;

/**
 * A wasm engine. The kernel finds one with {@link java.util.ServiceLoader} unless its builder is
 * given one. Implementations are thread-safe.
 */
public interface Engine {
  /** The engine and its version, e.g. {@code chicory 1.7.5}: for messages. */
  String name();

  /**
   * Validates and compiles a module. A module may import only the functions of the Parigot ABI
   * ({@link dev.parigot.abi.Syscall}, module {@link dev.parigot.abi.Abi#IMPORT_MODULE}) and of WASI
   * preview1, each with its exact signature, and may have at most one memory. An engine may return
   * the same compiled module for the same bytes.
   *
   * @param label names the module in messages, usually its file
   * @param wasm the module's bytes; not modified
   * @throws ModuleRefusedException if the module is malformed or imports what a process may not
   *     have
   */
  CompiledModule compile(String label, byte[] wasm);

  /**
   * An engine like this one that keeps what it compiles in {@code cache} and reuses it from there,
   * in this JVM and in later ones, so that a module is compiled once per engine version and
   * options. A {@link #compile} from the cache behaves as one without it. An engine that cannot
   * keep modules on disk returns itself, as this default does.
   */
  default Engine withCache(ModuleCache cache) {
    return this;
  }
}
