package dev.parigot.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kernel knows which compiled functions HotSpot would leave to its interpreter. */
class JitLimitTest {

  @Test
  void aMethodIsHugeOnlyPastTheLimit() {
    byte[] classFile =
        ClassFile.of()
            .build(
                ClassDesc.of("Sizes"),
                c -> {
                  method(c, "atTheLimit", JitLimit.HUGE_METHOD_BYTES);
                  method(c, "pastTheLimit", JitLimit.HUGE_METHOD_BYTES + 1);
                  method(c, "small", 1);
                });

    assertThat(JitLimit.hugeMethods(classFile))
        .containsExactlyEntriesOf(Map.of("pastTheLimit", JitLimit.HUGE_METHOD_BYTES + 1));
  }

  @Test
  void theWarningNamesTheFunctionsBiggestFirstAndTheFlag() {
    Map<String, Integer> huge = new LinkedHashMap<>();
    huge.put("fmt_fp", 9_001);
    huge.put("printf_core", 23_456);

    assertThat(JitLimit.warning("hello.wasm", huge))
        .isEqualTo(
            "hello.wasm: 2 functions will run in the JVM's bytecode interpreter, many times"
                + " slower than compiled code, because the JIT skips methods over 8,000 bytes of"
                + " bytecode: printf_core (23,456 bytes), fmt_fp (9,001 bytes). Run the kernel's"
                + " JVM with -XX:-DontCompileHugeMethods (the parigot command does).");
    assertThat(JitLimit.warning("one.wasm", Map.of("f", 8_001))).startsWith("one.wasm: 1 function will run");
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
