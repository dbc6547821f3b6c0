package dev.parigot.kernel;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.MethodModel;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * HotSpot's limit on what its JIT compiles. A method of more than {@value #HUGE_METHOD_BYTES}
 * bytes of bytecode stays in the bytecode interpreter for the life of the JVM, unless the JVM runs
 * with {@value #FLAG}. The engine compiles each wasm function to one method, so a large guest
 * function crosses the limit: {@code printf_core}, in every C program that formats output, is
 * about 9 KB of wasm.
 */
final class JitLimit {
  /** HotSpot's {@code HugeMethodLimit}, fixed in product builds. */
  static final int HUGE_METHOD_BYTES = 8000;

  /** The JVM option that lifts the limit. */
  static final String FLAG = "-XX:-DontCompileHugeMethods";

  private static final boolean ENFORCED = readEnforced();

  private JitLimit() {}

  /** Bytecode sizes of the methods of {@code classFile} over the limit, by method name. */
  static Map<String, Integer> hugeMethods(byte[] classFile) {
    Map<String, Integer> huge = new LinkedHashMap<>();
    for (MethodModel method : ClassFile.of().parse(classFile).methods()) {
      method
          .findAttribute(Attributes.code())
          .filter(code -> code.codeLength() > HUGE_METHOD_BYTES)
          .ifPresent(code -> huge.put(method.methodName().stringValue(), code.codeLength()));
    }
    return huge;
  }

  /**
   * What to tell the operator of a JVM that enforces the limit about module {@code label}, whose
   * {@code huge} functions (name to bytecode size, not empty) are over it.
   */
  static String warning(String label, Map<String, Integer> huge) {
    String functions =
        huge.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
            .map(f -> String.format(Locale.ROOT, "%s (%,d bytes)", f.getKey(), f.getValue()))
            .collect(Collectors.joining(", "));
    return String.format(
        Locale.ROOT,
        "%s: %d function%s will run in the JVM's bytecode interpreter, many times slower than"
            + " compiled code, because the JIT skips methods over %,d bytes of bytecode: %s. Run"
            + " the kernel's JVM with %s (the parigot command does).",
        label,
        huge.size(),
        huge.size() == 1 ? "" : "s",
        HUGE_METHOD_BYTES,
        functions,
        FLAG);
  }

  /** Whether this JVM leaves methods over the limit to its interpreter. */
  static boolean enforced() {
    return ENFORCED;
  }

  private static boolean readEnforced() {
    var hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    if (hotspot == null) {
      return false; // not HotSpot: its JIT has no such limit to warn about
    }
    try {
      return Boolean.parseBoolean(hotspot.getVMOption("DontCompileHugeMethods").getValue());
    } catch (IllegalArgumentException e) {
      return false; // a HotSpot without the option has no such limit either
    }
  }
}
