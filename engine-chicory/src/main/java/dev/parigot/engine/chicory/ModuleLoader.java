package dev.parigot.engine.chicory;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.MachineFactory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import dev.parigot.abi.Abi;
import dev.parigot.engine.spi.ModuleCache;
import dev.parigot.errors.ModuleRefusedException;
import java.lang.System.Logger.Level;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Parses, validates and compiles modules. Each distinct module (by content digest) is compiled
 * once; every process of it shares the result. With a {@link ModuleCache}, a module compiled before
 * (by any engine with the same {@link CacheKey}) is loaded from there instead, and one compiled
 * here is stored there.
 */
final class ModuleLoader {
  static final String WASI_MODULE = "wasi_snapshot_preview1";

  private static final System.Logger LOG = System.getLogger("dev.parigot.engine");
  private static final Map<String, FunctionType> WASI_FUNCTIONS = wasiFunctions();
  private static final AtomicBoolean TOLD_INLINE = new AtomicBoolean();
  private static final AtomicBoolean TOLD_DIRECT = new AtomicBoolean();
  private static final Pattern FUNCTION_METHOD = Pattern.compile("func_([0-9]{1,9})");

  private final Optional<ModuleCache> cache;
  private final Map<String, LoadedModule> compiled = new ConcurrentHashMap<>();

  ModuleLoader(Optional<ModuleCache> cache) {
    this.cache = cache;
  }

  /**
   * Loads a module, compiling it unless a module with the same bytes was loaded before or is in the
   * cache.
   *
   * @param label names the module in errors (usually its file)
   * @throws ModuleRefusedException if the module is malformed or imports what a process may not
   *     have
   */
  LoadedModule load(String label, byte[] bytes) {
    String digest = sha256(bytes);
    LoadedModule known = compiled.get(digest);
    if (known != null) {
      return known;
    }
    return compiled.computeIfAbsent(digest, d -> loadOrCompile(label, bytes, d));
  }

  private LoadedModule loadOrCompile(String label, byte[] bytes, String digest) {
    long start = System.nanoTime();
    Optional<String> key = cache.isPresent() ? CacheKey.of(digest) : Optional.empty();
    Optional<LoadedModule> cached =
        key.flatMap(k -> cache.orElseThrow().read(k))
            .flatMap(ModuleEntry::decode)
            .flatMap(entry -> fromEntry(label, digest, entry));
    if (cached.isPresent()) {
      told(label, bytes, "module cache hit, loaded", start);
      return cached.get();
    }
    var classes = compile(label, bytes, digest);
    LoadedModule module = classes.module();
    key.ifPresent(k -> cache.orElseThrow().write(k, classes.entry(bytes).encode()));
    told(label, bytes, key.isPresent() ? "module cache miss, compiled" : "compiled", start);
    return module;
  }

  /** The module of a cache entry; empty, with a warning, if the entry cannot make one. */
  private static Optional<LoadedModule> fromEntry(String label, String digest, ModuleEntry entry) {
    try {
      WasmModule module = Parser.parse(entry.stripped());
      check(label, module);
      return Optional.of(loaded(label, digest, module, entry.machines(), entry.hugeMethods()));
    } catch (RuntimeException | LinkageError e) {
      // Only an engine with this one's cache key wrote it, and the digest matched: a bug.
      LOG.log(
          Level.WARNING,
          "module cache: the entry for {0} cannot be used ({1}); compiling it again",
          label,
          e.toString());
      return Optional.empty();
    }
  }

  /**
   * What the compiler made of a module.
   *
   * @param classes the collector, holding the classes as defined
   * @param interpreted the functions left to the interpreter, by index
   * @param hugeMethods the methods over the JIT's limit, by method name
   */
  private record Compiled(
      LoadedModule module,
      PreemptibleClasses classes,
      Set<Integer> interpreted,
      Map<String, Integer> hugeMethods) {
    ModuleEntry entry(byte[] wasm) {
      Map<String, byte[]> byName = new LinkedHashMap<>();
      classes.classBytes().forEach((name, bytes) -> byName.put(name.replace('/', '.'), bytes));
      int imported = module.module().importSection().count(ExternalType.FUNCTION);
      return new ModuleEntry(
          classes.mainClassName().replace('/', '.'),
          byName,
          StrippedModule.of(wasm, imported, interpreted),
          hugeMethods);
    }
  }

  private static Compiled compile(String label, byte[] bytes, String digest) {
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      // The engine checks some invariants of what it parses with assert (failing bytes trip them
      // under -ea), and deep nesting can exhaust the stack: the bytes are refused either way.
      throw new ModuleRefusedException(label + ": not a valid wasm module: " + e.getMessage(), e);
    }
    check(label, module);
    try {
      // The engine's internal compiler, because its public one cannot swap the interrupt check.
      var result =
          Compiler.builder(module)
              .withInterpreterFallback(InterpreterFallback.SILENT)
              .withClassCollectorFactory(PreemptibleClasses::new)
              .build()
              .compile();
      var classes = (PreemptibleClasses) result.collector();
      var huge = classes.hugeMethods();
      return new Compiled(
          loaded(label, digest, module, classes.machineFactory(), huge),
          classes,
          result.interpretedFunctions(),
          huge);
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw new ModuleRefusedException(label + ": cannot be compiled: " + e.getMessage(), e);
    }
  }

  /** Refuses a module that could reach outside its process. */
  private static void check(String label, WasmModule module) {
    checkImports(label, module);
    int memories = module.memorySection().map(s -> s.memoryCount()).orElse(0);
    if (memories > 1) {
      throw new ModuleRefusedException(
          label + ": declares " + memories + " memories; a process has one");
    }
    if (memories == 1 && module.memorySection().orElseThrow().getMemory(0).limits().shared()) {
      throw new ModuleRefusedException(
          label + ": declares a shared memory; a process is single-threaded");
    }
    checkTables(label, module);
  }

  /** The loaded module, with the warnings its huge functions call for. */
  private static LoadedModule loaded(
      String label,
      String digest,
      WasmModule module,
      Function<Instance, Machine> machines,
      Map<String, Integer> hugeMethods) {
    int initialPages =
        module
            .memorySection()
            .filter(s -> s.memoryCount() == 1)
            .map(s -> s.getMemory(0).limits().initialPages())
            .orElse(0);
    var huge = byFunctionName(module, hugeMethods);
    if (!huge.isEmpty() && JitOptions.enforced()) {
      LOG.log(Level.WARNING, JitOptions.warning(label, huge));
    }
    // Said once per JVM: it holds for every module alike.
    if (!JitOptions.inlinesHelpers() && TOLD_INLINE.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, JitOptions.inlineWarning());
    }
    if (!HeapAccess.directAllowed() && TOLD_DIRECT.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, JitOptions.directAccessWarning());
    }
    var machineFactory = new MachineFactory(module, machines);
    return new LoadedModule(
        label, digest, module, machineFactory, entries(module), initialPages, huge);
  }

  /** For --verbose: where a module came from and how long it took. */
  private static void told(String label, byte[] bytes, String what, long start) {
    LOG.log(
        Level.DEBUG,
        () ->
            String.format(
                Locale.ROOT,
                "%s (%,d bytes): %s in %,d ms",
                label,
                bytes.length,
                what,
                (System.nanoTime() - start) / 1_000_000));
  }

  /** Only ABI and WASI functions, with their exact signatures: nothing else reaches outside. */
  private static void checkImports(String label, WasmModule module) {
    var imports = module.importSection();
    for (int i = 0; i < imports.importCount(); i++) {
      Import imp = imports.getImport(i);
      String what = imp.module() + "." + imp.name();
      if (imp.importType() != ExternalType.FUNCTION) {
        throw new ModuleRefusedException(
            label
                + ": imports "
                + imp.importType().name().toLowerCase(Locale.ROOT)
                + " "
                + what
                + "; a process may import only functions of the Parigot ABI and WASI");
      }
      FunctionType expected = allowed(imp.module(), imp.name());
      if (expected == null) {
        throw new ModuleRefusedException(
            label
                + ": imports "
                + what
                + ", which is neither in the Parigot ABI v"
                + Abi.VERSION
                + " nor in WASI preview1");
      }
      // The parser leaves type indices to validation, which comes later: check this one here.
      int type = ((FunctionImport) imp).typeIndex();
      if (type < 0 || type >= module.typeSection().subTypeCount()) {
        throw new ModuleRefusedException(
            label
                + ": imports "
                + what
                + " with type "
                + type
                + ", which the module does not define");
      }
      FunctionType actual = module.typeSection().getType(type);
      if (!actual.typesMatch(expected)) {
        throw new ModuleRefusedException(
            label + ": imports " + what + " as " + actual + " but it is " + expected);
      }
    }
  }

  /** Tables cost heap outside memory_mib: their entries at start are capped, as table.grow is. */
  private static void checkTables(String label, WasmModule module) {
    var tables = module.tableSection();
    long total = 0;
    for (int i = 0; i < tables.tableCount(); i++) {
      long min = tables.getTable(i).limits().min();
      total += min;
      if (total > ProcessTables.MAX_ENTRIES) {
        throw new ModuleRefusedException(
            label
                + ": table "
                + i
                + " starts with "
                + min
                + " entries; a process may have at most "
                + ProcessTables.MAX_ENTRIES
                + " table entries in all");
      }
    }
  }

  private static FunctionType allowed(String module, String name) {
    if (module.equals(Abi.IMPORT_MODULE)) {
      return Syscalls.TYPES.get(name);
    }
    if (module.equals(WASI_MODULE)) {
      return WASI_FUNCTIONS.get(name);
    }
    return null;
  }

  /**
   * The engine names the method of function {@code i} {@code func_i} (imports count in {@code i});
   * the module's name section, when it has one, gives the name its source used.
   */
  private static Map<String, Integer> byFunctionName(
      WasmModule module, Map<String, Integer> methods) {
    Map<String, Integer> named = new TreeMap<>();
    methods.forEach((method, size) -> {
      var index = FUNCTION_METHOD.matcher(method);
      String name = method;
      if (index.matches()) {
        int i = Integer.parseInt(index.group(1));
        var names = module.nameSection();
        String source = names == null ? null : names.nameOfFunction(i);
        name = source == null ? "function " + i : source;
      }
      named.merge(name, size, Math::max);
    });
    return Map.copyOf(named);
  }

  private static Set<String> entries(WasmModule module) {
    int importedFunctions = module.importSection().count(ExternalType.FUNCTION);
    var exports = module.exportSection();
    Set<String> entries = new HashSet<>();
    for (int i = 0; i < exports.exportCount(); i++) {
      Export e = exports.getExport(i);
      if (e.exportType() != ExternalType.FUNCTION || e.index() < importedFunctions) {
        continue;
      }
      int type = module.functionSection().getFunctionType(e.index() - importedFunctions);
      if (module.typeSection().getType(type).equals(FunctionType.empty())) {
        entries.add(e.name());
      }
    }
    return Set.copyOf(entries);
  }

  private static Map<String, FunctionType> wasiFunctions() {
    try (var wasi = WasiPreview1.builder().build()) {
      return Stream.of(wasi.toHostFunctions())
          .collect(Collectors.toUnmodifiableMap(HostFunction::name, HostFunction::functionType));
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
