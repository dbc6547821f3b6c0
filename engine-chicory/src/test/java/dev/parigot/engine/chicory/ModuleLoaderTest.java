package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.ModuleRefusedException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The loader refuses every module that could reach outside its process, naming what it found. */
class ModuleLoaderTest {
  private final ModuleLoader loader = new ModuleLoader(Optional.empty());

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          reject-memory-import    | imports memory env.memory; a process may import only functions of the Parigot ABI and WASI
          reject-table-import     | imports table env.table; a process may import only functions of the Parigot ABI and WASI
          reject-global-import    | imports global env.g; a process may import only functions of the Parigot ABI and WASI
          reject-unknown-function | imports env.launch_missiles, which is neither in the Parigot ABI v1 nor in WASI preview1
          reject-unknown-syscall  | imports parigot.reboot, which is neither in the Parigot ABI v1 nor in WASI preview1
          reject-wrong-signature  | imports parigot.locate as
          reject-two-memories     | declares 2 memories; a process has one
          reject-shared-memory    | declares a shared memory; a process is single-threaded
          reject-table-bomb       | table 0 starts with 10000000 entries; a process may have at most 1000000 table entries in all
          """)
  void refusesModulesThatReachOutsideTheProcess(String module, String problem) {
    assertThatThrownBy(() -> loader.load(module + ".wasm", Corpus.module(module)))
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessageStartingWith(module + ".wasm: ")
        .hasMessageContaining(problem);
  }

  @Test
  void refusesBytesThatAreNotWasmNamingTheModule() {
    assertThatThrownBy(() -> loader.load("junk.wasm", new byte[] {0, 'a', 's', 'x', 1, 0, 0, 0}))
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessageStartingWith("junk.wasm: not a valid wasm module");
  }

  @Test
  void refusesATruncatedModule() {
    byte[] echo = Corpus.module("echo");
    byte[] truncated = java.util.Arrays.copyOf(echo, echo.length / 2);

    assertThatThrownBy(() -> loader.load("cut.wasm", truncated))
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessageStartingWith("cut.wasm: not a valid wasm module");
  }

  @Test
  void refusesAnImportWhoseTypeIndexIsOutOfRange() {
    byte[] bytes = Corpus.module("exit-code");
    // Byte 35 is the type index of its one import, parigot.exit; the module defines types 0 and 1.
    // Byte 63 starts the immediate of `i32.const 42` in _start: a continuation bit there makes the
    // parser take the next bytes as part of it, so the module still parses (SyscallFuzzTest found
    // this pair) and only the import's type is wrong.
    assertThat(bytes[35]).isZero();
    bytes[35] = 4;
    bytes[63] = (byte) 170;

    assertThatThrownBy(() -> loader.load("bad-type.wasm", bytes))
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessage(
            "bad-type.wasm: imports parigot.exit with type 4, which the module does not define");
  }

  @Test
  void compilesEachDistinctModuleOnce() {
    LoadedModule first = loader.load("a.wasm", Corpus.module("echo"));
    LoadedModule again = loader.load("b.wasm", Corpus.module("echo"));

    assertThat(again).isSameAs(first);
    assertThat(loader.load("c.wasm", Corpus.module("exit-code"))).isNotSameAs(first);
  }

  @Test
  void acceptsTheAbiAndWasiImportsWithTheirSignatures() {
    LoadedModule module = loader.load("wasi-hello.wasm", Corpus.module("wasi-hello"));

    assertThat(module.entries()).containsExactly("_start");
    assertThat(module.initialPages()).isEqualTo(1);
  }

  @Test
  void namesTheFunctionsTooBigForTheJit() {
    LoadedModule module =
        loader.load("big.wasm", moduleWithOneFunction("format_everything", 6_000));

    assertThat(module.hugeFunctions()).containsOnlyKeys("format_everything");
    assertThat(module.hugeFunctions().get("format_everything"))
        .isGreaterThan(JitOptions.HUGE_METHOD_BYTES);
    assertThat(loader.load("echo.wasm", Corpus.module("echo")).hugeFunctions()).isEmpty();
  }

  @Test
  void numbersAHugeFunctionThatHasNoName() {
    LoadedModule module = loader.load("big.wasm", moduleWithOneFunction("", 6_000));

    assertThat(module.hugeFunctions()).containsOnlyKeys("function 0");
  }

  /**
   * A module whose one function, exported as {@code _start} and named {@code name} in its name
   * section unless that is empty, is {@code pairs} times {@code i32.const 0; drop}.
   */
  private static byte[] moduleWithOneFunction(String name, int pairs) {
    var body = new ByteArrayOutputStream();
    body.write(0); // no locals
    for (int i = 0; i < pairs; i++) {
      body.writeBytes(new byte[] {0x41, 0x00, 0x1a});
    }
    body.write(0x0b);
    var code = new ByteArrayOutputStream();
    code.write(1);
    writeVector(code, body.toByteArray());

    var wasm = new ByteArrayOutputStream();
    wasm.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    section(wasm, 1, new byte[] {1, 0x60, 0, 0}); // type 0: [] -> []
    section(wasm, 3, new byte[] {1, 0}); // function 0 has type 0
    section(wasm, 7, new byte[] {1, 6, '_', 's', 't', 'a', 'r', 't', 0, 0}); // export function 0
    section(wasm, 10, code.toByteArray());
    if (!name.isEmpty()) {
      var names = new ByteArrayOutputStream();
      writeVector(names, "name".getBytes(StandardCharsets.UTF_8));
      var functionNames = new ByteArrayOutputStream();
      functionNames.writeBytes(new byte[] {1, 0}); // one name, for function 0
      writeVector(functionNames, name.getBytes(StandardCharsets.UTF_8));
      names.write(1); // the function names subsection
      writeVector(names, functionNames.toByteArray());
      section(wasm, 0, names.toByteArray());
    }
    return wasm.toByteArray();
  }

  private static void section(ByteArrayOutputStream wasm, int id, byte[] content) {
    wasm.write(id);
    writeVector(wasm, content);
  }

  /** {@code bytes} after their length as an unsigned LEB128. */
  private static void writeVector(ByteArrayOutputStream out, byte[] bytes) {
    int n = bytes.length;
    do {
      int low = n & 0x7f;
      n >>>= 7;
      out.write(n == 0 ? low : low | 0x80);
    } while (n != 0);
    out.writeBytes(bytes);
  }
}
