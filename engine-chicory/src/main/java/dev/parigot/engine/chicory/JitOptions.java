package dev.parigot.engine.chicory;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.MethodModel;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The HotSpot JIT options guest code needs, and what the kernel says when its JVM lacks them
 * (RATIONALE.md, "Why does the kernel's JVM run with JIT options?"). {@code ./parigot}, {@code
 * scripts/bench} and the tests pass them; a JVM the kernel is embedded in may not.
 *
 * <ul>
 *   <li>{@value #HUGE}: a method of more than {@value #HUGE_METHOD_BYTES} bytes of bytecode
 *       otherwise stays in the bytecode interpreter for the life of the JVM. The engine compiles
 *       each wasm function to one method, so a large guest function crosses the limit: {@code
 *       printf_core}, in every C program that formats output, is about 9 KB of wasm.
 *   <li>{@link #INLINE}: the engine's memory and arithmetic helpers are always inlined. C2
 *       otherwise leaves a call site out of line when it was rarely reached at compile time, and a
 *       guest function is often compiled during its first, long call: code it had not reached yet
 *       then calls a helper for every memory access for ever.
 *   <li>{@value #DIRECT_ACCESS}: guest loads and stores read the memory's array directly ({@link
 *       HeapAccess}), with fewer of the JIT's nodes per access.
 * </ul>
 */
final class JitOptions {
  /** HotSpot's {@code HugeMethodLimit}, fixed in product builds. */
  static final int HUGE_METHOD_BYTES = 8000;

  /** The JVM option that lifts the limit. */
  static final String HUGE = "-XX:-DontCompileHugeMethods";

  /** What to inline always: the helpers the engine copies into each module, and its opcodes. */
  static final List<String> INLINED =
      List.of("com/dylibso/chicory/$gen/CompiledMachineShaded.*", CountedLoops.OPCODES + ".*");

  /** The JVM option that lets guest loads and stores read the array directly. */
  static final String DIRECT_ACCESS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

  /** The JVM options that inline {@link #INLINED}; the first keeps the JVM from echoing them. */
  static final List<String> INLINE =
      List.of(
          "-XX:CompileCommand=quiet",
          "-XX:CompileCommand=inline," + INLINED.get(0),
          "-XX:CompileCommand=inline," + INLINED.get(1));

  private static final Optional<HotSpotDiagnosticMXBean> HOTSPOT =
      Optional.ofNullable(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class));
  // Both are fixed when the JVM starts: read once.
  private static final boolean ENFORCED =
      flag("DontCompileHugeMethods").map(Boolean::parseBoolean).orElse(false);
  private static final boolean INLINES_HELPERS =
      HOTSPOT.isEmpty() || flag("CompileCommand").map(JitOptions::inlinesHelpers).orElse(false);

  private JitOptions() {}

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
        HUGE);
  }

  /** Whether this JVM leaves methods over the limit to its interpreter. */
  static boolean enforced() {
    return ENFORCED;
  }

  /** Whether this JVM inlines the engine's helpers always; true on a JVM that is not HotSpot. */
  static boolean inlinesHelpers() {
    return INLINES_HELPERS;
  }

  /** Whether {@code compileCommands}, the JVM's CompileCommand lines, inline {@link #INLINED}. */
  static boolean inlinesHelpers(String compileCommands) {
    var lines = List.of(compileCommands.split("\n"));
    return INLINED.stream().allMatch(pattern -> lines.contains("inline," + pattern));
  }

  /** What to tell the operator of a JVM that does not inline the helpers. */
  static String inlineWarning() {
    return "guest code the JIT compiles before running it all may call a helper for every memory"
        + " access; run the kernel's JVM with "
        + String.join(" ", INLINE)
        + " (the parigot command does)";
  }

  /** What to tell the operator of a JVM that does not let guest code read its memory directly. */
  static String directAccessWarning() {
    return "guest loads and stores check their index twice and may exhaust the JIT's inlining"
        + " budget in large functions; run the kernel's JVM with "
        + DIRECT_ACCESS
        + " (the parigot command does)";
  }

  private static Optional<String> flag(String name) {
    try {
      return HOTSPOT.map(hotspot -> hotspot.getVMOption(name).getValue());
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a HotSpot without the option
    }
  }
}
