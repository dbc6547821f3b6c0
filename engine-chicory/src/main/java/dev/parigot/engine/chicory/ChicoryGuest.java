package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.parigot.engine.spi.AbiHost;
import dev.parigot.engine.spi.Ending;
import dev.parigot.engine.spi.Guest;
import dev.parigot.engine.spi.GuestConfig;
import dev.parigot.engine.spi.GuestMemory;
import dev.parigot.engine.spi.Unwind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One process's instance of a {@link LoadedModule}, made and run on the process's thread. */
final class ChicoryGuest implements Guest {
  private static final GuestMemory NO_MEMORY = new LinearMemory(new MemoryLimits(0, 0));

  private final LoadedModule module;
  private final GuestConfig config;
  private final AbiHost host;
  // What this guest was asked at its polls; while anything is, compiled code polls for real.
  private final Preemption.Requests requests = new Preemption.Requests();
  // Running thread only.
  private GuestMemory memory = NO_MEMORY;
  private WasiFiles files;

  ChicoryGuest(LoadedModule module, GuestConfig config, AbiHost host) {
    this.module = module;
    this.config = config;
    this.host = host;
  }

  @Override
  public Ending run(String entry) {
    Preemption.running(this);
    try {
      Instance instance = instantiate();
      if (instance.memory() instanceof LinearMemory m) {
        memory = m;
      }
      instance.export(entry).apply();
      return new Ending.Returned();
    } catch (Throwable t) {
      return ending(t);
    } finally {
      if (files != null) {
        // However the guest ended: its last line is passed on and its files closed.
        files.close();
      }
      Preemption.ended(requests);
    }
  }

  @Override
  public GuestMemory memory() {
    return memory;
  }

  @Override
  public void stop() {
    Preemption.stop(requests);
  }

  @Override
  public void preempt() {
    Preemption.preempt(requests);
  }

  Preemption.Requests requests() {
    return requests;
  }

  /** The guest reached a poll with a preemption request: its host takes it. */
  void preempted() {
    host.preempted();
  }

  private Instance instantiate() throws IOException {
    files =
        new WasiFiles(
            config.io(), new GuestOutput(config.stdout()), new GuestOutput(config.stderr()));
    var options = WasiOptions.builder().withArguments(config.args()).withThrowOnExit0(true);
    config.env().forEach(options::withEnvironment);
    var wasi = WasiPreview1.builder().withOptions(options.build()).build();
    // Descriptors and paths are WasiFiles'; the engine's WASI keeps args, env, clocks and exit.
    Map<String, WasmFunctionHandle> own = files.functions();
    List<ImportFunction> functions = new ArrayList<>(Syscalls.bind(host));
    for (HostFunction f : wasi.toHostFunctions()) {
      WasmFunctionHandle handle = own.getOrDefault(f.name(), f.handle());
      functions.add(
          new HostFunction(f.module(), f.name(), f.functionType(), Syscalls.guarded(host, handle)));
    }
    int maxPages = Math.min(config.maxMemoryPages(), MemoryLimits.MAX_PAGES);
    return Instance.builder(module.module())
        .withImportValues(ImportValues.builder().withFunctions(functions).build())
        .withMachineFactory(module.machines())
        .withMemoryFactory(limits -> new LinearMemory(limits, config.heap()))
        .withTableFactory(new ProcessTables(config.heap()))
        .withMemoryLimits(new MemoryLimits(module.initialPages(), declaredMax(maxPages)))
        .withStart(false)
        .build();
  }

  /** The module's own maximum, lowered to the program's cap. */
  private int declaredMax(int cap) {
    return module
        .module()
        .memorySection()
        .filter(s -> s.memoryCount() == 1)
        .map(s -> Math.min(s.getMemory(0).limits().maximumPages(), cap))
        .orElse(cap);
  }

  /** Classifies how the guest ended; the host's unwinds pass through as they are. */
  private Ending ending(Throwable t) {
    // The engine may wrap what a host function threw.
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof Unwind u) {
        throw u;
      }
      if (c instanceof WasiExitException e) {
        return new Ending.Exited(e.exitCode());
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ChicoryInterruptedException) {
        return new Ending.Stopped();
      }
    }
    return new Ending.Trapped(Traps.describe(t, module));
  }
}
