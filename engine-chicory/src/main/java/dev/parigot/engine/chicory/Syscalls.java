package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.parigot.abi.Abi;
import dev.parigot.abi.Syscall;
import dev.parigot.abi.ValueType;
import dev.parigot.engine.spi.AbiHost;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Binds the ABI's names (from {@link Syscall}) to a process's behaviour. Names and signatures come
 * from the ABI module; what each call does is the {@link AbiHost}'s.
 */
final class Syscalls {
  /** The signature of every ABI import, by import name. */
  static final Map<String, FunctionType> TYPES =
      Stream.of(Syscall.values())
          .collect(Collectors.toUnmodifiableMap(Syscall::importName, Syscalls::type));

  private Syscalls() {}

  /** The ABI's host functions, bound to one process. */
  static List<HostFunction> bind(AbiHost p) {
    Map<Syscall, WasmFunctionHandle> impl = new EnumMap<>(Syscall.class);
    impl.put(Syscall.LOCATE, (i, a) -> ret(p.locate((int) a[0], (int) a[1])));
    impl.put(Syscall.EXPORT, (i, a) -> ret(p.export((int) a[0], (int) a[1])));
    impl.put(
        Syscall.CALL, (i, a) -> ret(p.call((int) a[0], (int) a[1], (int) a[2], (int) a[3], a[4])));
    impl.put(
        Syscall.WAIT, (i, a) -> ret(p.await((int) a[0], (int) a[1], (int) a[2], (int) a[3], a[4])));
    impl.put(Syscall.REPLY, (i, a) -> ret(p.reply((int) a[0], (int) a[1], (int) a[2], (int) a[3])));
    impl.put(Syscall.FAIL, (i, a) -> ret(p.fail((int) a[0], (int) a[1], (int) a[2], (int) a[3])));
    impl.put(Syscall.CANCEL, (i, a) -> ret(p.cancel((int) a[0])));
    impl.put(Syscall.SPAWN, (i, a) -> ret(p.spawn((int) a[0], (int) a[1], (int) a[2], (int) a[3])));
    impl.put(Syscall.SEND, (i, a) -> ret(p.send((int) a[0], (int) a[1], (int) a[2])));
    impl.put(
        Syscall.EXIT,
        (i, a) -> {
          throw p.exit((int) a[0]);
        });
    List<HostFunction> functions = new ArrayList<>();
    for (Syscall s : Syscall.values()) {
      WasmFunctionHandle h = impl.get(s);
      if (h == null) {
        throw new IllegalStateException("ABI call without an implementation: " + s.importName());
      }
      functions.add(new HostFunction(Abi.IMPORT_MODULE, s.importName(), type(s), guarded(p, h)));
    }
    return functions;
  }

  /** Wraps a host function so that the kernel takes control at every entry (see AbiHost). */
  static WasmFunctionHandle guarded(AbiHost p, WasmFunctionHandle h) {
    return (instance, args) -> {
      p.enterKernel();
      return h.apply(instance, args);
    };
  }

  private static long[] ret(int value) {
    return new long[] {value};
  }

  private static FunctionType type(Syscall s) {
    Function<ValueType, ValType> val = v -> v == ValueType.I64 ? ValType.I64 : ValType.I32;
    return FunctionType.of(
        s.params().stream().map(val).toList(), s.results().stream().map(val).toList());
  }
}
