package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.parigot.engine.spi.AbiHost;
import dev.parigot.engine.spi.CompiledModule;
import dev.parigot.engine.spi.Guest;
import dev.parigot.engine.spi.GuestConfig;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A validated, compiled module, shared by every process that runs it.
 *
 * @param label where the bytes came from, for messages
 * @param digest SHA-256 of the bytes, hex
 * @param module the parsed module
 * @param machines the compiled code; builds a machine per instance without recompiling
 * @param entries exported functions of type () -> (): what can run as a program or a worker
 * @param initialPages the memory the module asks for at start
 * @param hugeFunctions functions over the JIT's method size limit ({@link JitOptions}), by name,
 *     with their bytecode size
 */
record LoadedModule(
    String label,
    String digest,
    WasmModule module,
    Function<Instance, Machine> machines,
    Set<String> entries,
    int initialPages,
    Map<String, Integer> hugeFunctions)
    implements CompiledModule {
  @Override
  public Guest guest(GuestConfig config, AbiHost host) {
    return new ChicoryGuest(this, config, host);
  }
}
