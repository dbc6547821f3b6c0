package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kernel knows which JIT options guest code needs, and whether its JVM has them. */
class JitOptionsTest {

  @Test
  void aMethodIsHugeOnlyPastTheLimit() {
    byte[] classFile =
        ClassFile.of()
            .build(
                ClassDesc.of("Sizes"),
                c -> {
                  method(c, "atTheLimit", JitOptions.HUGE_METHOD_BYTES);
                  method(c, "pastTheLimit", JitOptions.HUGE_METHOD_BYTES + 1);
                  method(c, "small", 1);
                });

    assertThat(JitOptions.hugeMethods(classFile))
        .containsExactlyEntriesOf(Map.of("pastTheLimit", JitOptions.HUGE_METHOD_BYTES + 1));
  }

  @Test
  void theWarningNamesTheFunctionsBiggestFirstAndTheFlag() {
    Map<String, Integer> huge = new LinkedHashMap<>();
    huge.put("fmt_fp", 9_001);
    huge.put("printf_core", 23_456);

    assertThat(JitOptions.warning("hello.wasm", huge))
        .isEqualTo(
            "hello.wasm: 2 functions will run in the JVM's bytecode interpreter, many times"
                + " slower than compiled code, because the JIT skips methods over 8,000 bytes of"
                + " bytecode: printf_core (23,456 bytes), fmt_fp (9,001 bytes). Run the kernel's"
                + " JVM with -XX:-DontCompileHugeMethods (the parigot command does).");
    assertThat(JitOptions.warning("one.wasm", Map.of("f", 8_001)))
        .startsWith("one.wasm: 1 function will run");
  }

  @Test
  void helpersAreInlinedOnlyWhenEveryPatternIsCommanded() {
    String both =
        "quiet\ninline,com/dylibso/chicory/$gen/CompiledMachineShaded.*\n"
            + "inline,com/dylibso/chicory/runtime/OpcodeImpl.*";

    assertThat(JitOptions.inlinesHelpers(both)).isTrue();
    assertThat(JitOptions.inlinesHelpers("")).isFalse();
    assertThat(JitOptions.inlinesHelpers("inline,com/dylibso/chicory/runtime/OpcodeImpl.*"))
        .isFalse();
    assertThat(
            JitOptions.inlinesHelpers(
                "dontinline,com/dylibso/chicory/$gen/CompiledMachineShaded.*"))
        .isFalse();
  }

  @Test
  void theTestsRunWithTheOptionsTheKernelAsksFor() {
    // pom.xml's argLine repeats scripts/kernel-jvm-options: this fails if they drift apart.
    assertThat(JitOptions.enforced()).isFalse();
    assertThat(JitOptions.inlinesHelpers()).isTrue();
    assertThat(HeapAccess.directAllowed()).isTrue();
  }

  @Test
  void theInlineWarningGivesTheOptions() {
    assertThat(JitOptions.inlineWarning())
        .contains(
            "-XX:CompileCommand=quiet"
                + " -XX:CompileCommand=inline,com/dylibso/chicory/$gen/CompiledMachineShaded.*"
                + " -XX:CompileCommand=inline,com/dylibso/chicory/runtime/OpcodeImpl.*");
  }

  /** A static void method of {@code bytes} bytes of code: nops, then return. */
  private static void method(java.lang.classfile.ClassBuilder c, String name, int bytes) {
    c.withMethodBody(
        name,
        MethodTypeDesc.of(ClassDesc.ofDescriptor("V")),
        ClassFile.ACC_STATIC,
        code -> {
          for (int i = 0; i < bytes - 1; i++) {
            code.nop();
          }
          code.return_();
        });
  }
}
