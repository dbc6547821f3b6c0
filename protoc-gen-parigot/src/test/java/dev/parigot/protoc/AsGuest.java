package dev.parigot.protoc;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The AssemblyScript round-trip guest (src/test/guest-as/roundtrip.ts, built from the golden
 * generated AssemblyScript by scripts/build-guests) in Chicory's interpreter. Its only imports are
 * those of an abort (stderr and exit): an abort fails the test with its message, as the generated
 * code must never abort on any input.
 */
final class AsGuest {
  static final Path WASM = Path.of("src/test/guest-as/roundtrip.wasm");
  private static final WasmModule MODULE = Parser.parse(WASM);

  static final int E_DECODE = -1001;
  static final int RT_E_SIZE = -2001;

  private final Instance instance;
  private final ExportFunction alloc;
  private final ExportFunction roundtrip;
  private final ExportFunction outPtr;
  private final StringBuilder stderr = new StringBuilder();

  AsGuest() {
    var fdWrite =
        new HostFunction(
            "wasi_snapshot_preview1",
            "fd_write",
            FunctionType.of(
                List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32)),
            (inst, args) -> {
              int iovs = (int) args[1];
              int written = 0;
              for (int i = 0; i < (int) args[2]; i++) {
                int ptr = inst.memory().readInt(iovs + 8 * i);
                int len = inst.memory().readInt(iovs + 8 * i + 4);
                stderr.append(
                    new String(inst.memory().readBytes(ptr, len), StandardCharsets.UTF_8));
                written += len;
              }
              inst.memory().writeI32((int) args[3], written);
              return new long[] {0};
            });
    var exit =
        new HostFunction(
            "parigot",
            "exit",
            FunctionType.of(List.of(ValType.I32), List.of()),
            (inst, args) -> {
              throw new AssertionError("the guest exited " + args[0] + ": " + stderr);
            });
    instance =
        Instance.builder(MODULE)
            .withImportValues(ImportValues.builder().addFunction(fdWrite, exit).build())
            .build();
    alloc = instance.export("alloc");
    roundtrip = instance.export("roundtrip");
    outPtr = instance.export("outPtr");
  }

  /** Decodes {@code input} as {@code kind} and re-encodes it: the length or a negative code. */
  int roundtripCode(int kind, byte[] input) {
    int ptr = (int) alloc.apply(input.length)[0];
    instance.memory().write(ptr, input);
    return (int) roundtrip.apply(kind, ptr, input.length)[0];
  }

  /** The re-encoding of {@code input}, asserting success. */
  byte[] roundtrip(int kind, byte[] input) {
    int n = roundtripCode(kind, input);
    if (n < 0) {
      throw new AssertionError("roundtrip(kind " + kind + ") failed with " + n);
    }
    return instance.memory().readBytes((int) outPtr.apply()[0], n);
  }
}
