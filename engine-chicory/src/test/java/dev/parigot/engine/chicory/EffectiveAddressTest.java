package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.Shaded;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.Parser;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The engine's address helper, rewritten: the same address wherever a memory can be, a trap that
 * names the address everywhere else.
 */
class EffectiveAddressTest {
  /** The rewritten helper of a class built as the engine builds it. */
  private static final MethodHandle HELPER = rewrittenHelper();

  @Test
  void theEnginesAddressHelperBecomesAnIndexCheckAndASum() {
    var module = Parser.parse(Corpus.module("iso-trap"));
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (byte[] bytes : Compiler.builder(module).build().compile().classBytes().values()) {
      before.addAll(helperCalls(bytes));
      after.addAll(helperCalls(PreemptibleClasses.rewrite(bytes)));
    }
    assertThat(before).as("the engine's own helper calls nothing").isEmpty();
    assertThat(after)
        .containsExactly(
            "java/util/Objects.checkIndex",
            "dev/parigot/engine/chicory/EffectiveAddress.outOfBounds");
  }

  @Test
  void everyAddressBelowTwoGibibytesIsTheEnginesSum() throws Throwable {
    var random = new SplittableRandom(13);
    List<int[]> pairs = new ArrayList<>();
    int[] edges = {0, 1, 7, 8, 65535, 65536, Integer.MAX_VALUE - 8, Integer.MAX_VALUE - 1};
    for (int base : edges) {
      for (int offset : edges) {
        pairs.add(new int[] {base, offset});
      }
    }
    for (int i = 0; i < 10_000; i++) {
      pairs.add(new int[] {random.nextInt(Integer.MAX_VALUE), random.nextInt(Integer.MAX_VALUE)});
      pairs.add(new int[] {random.nextInt(1 << 20), random.nextInt(1 << 16)});
    }
    int inside = 0;
    for (int[] pair : pairs) {
      int engine = Shaded.getAddr(pair[0], pair[1]);
      if (engine >= 0 && engine < Integer.MAX_VALUE) {
        assertThat(address(pair[0], pair[1])).isEqualTo(engine);
        inside++;
      } else {
        assertThatThrownBy(() -> address(pair[0], pair[1]))
            .isInstanceOf(WasmRuntimeException.class)
            .hasMessageStartingWith("out of bounds memory access");
      }
    }
    assertThat(inside).as("pairs inside the address space").isGreaterThan(10_000);
  }

  @Test
  void anAddressOfTwoGibibytesOrMoreTrapsAndTheTrapNamesIt() {
    assertThatThrownBy(() -> address(-4, 0))
        .isInstanceOf(WasmRuntimeException.class)
        .hasMessage(
            "out of bounds memory access: attempted to access address: 4294967292"
                + " (base 4294967292 + offset 0), past the largest memory");
    assertThatThrownBy(() -> address(Integer.MAX_VALUE - 3, 8))
        .isInstanceOf(WasmRuntimeException.class)
        .hasMessageContaining("address: 2147483652 (base 2147483644 + offset 8)");
    assertThatThrownBy(() -> address(-1, Integer.MAX_VALUE - 1))
        .isInstanceOf(WasmRuntimeException.class)
        .hasMessageContaining("address: 6442450941 ");
  }

  private static int address(int base, int offset) throws Throwable {
    return (int) HELPER.invokeExact(base, offset);
  }

  /** owner.name of every method the address helpers of a class call. */
  private static List<String> helperCalls(byte[] classBytes) {
    List<String> calls = new ArrayList<>();
    ClassFile.of().parse(classBytes).methods().stream()
        .filter(m -> m.methodName().equalsString(EffectiveAddress.HELPER))
        .filter(
            m -> m.methodTypeSymbol().descriptorString().equals(EffectiveAddress.HELPER_DESCRIPTOR))
        .flatMap(m -> m.findAttribute(Attributes.code()).stream())
        .forEach(code -> {
          for (var element : code) {
            if (element instanceof InvokeInstruction call) {
              calls.add(call.owner().asInternalName() + "." + call.name().stringValue());
            }
          }
        });
    return calls;
  }

  private static MethodHandle rewrittenHelper() {
    var cw =
        EngineShapedClass.withEmptyCheck("dev/parigot/engine/chicory/EffectiveAddressTestHelper");
    // A placeholder body: the rewrite replaces it whatever it is.
    MethodVisitor helper =
        cw.visitMethod(
            Opcodes.ACC_STATIC,
            EffectiveAddress.HELPER,
            EffectiveAddress.HELPER_DESCRIPTOR,
            null,
            null);
    helper.visitCode();
    helper.visitInsn(Opcodes.ICONST_0);
    helper.visitInsn(Opcodes.IRETURN);
    helper.visitMaxs(0, 0);
    helper.visitEnd();
    cw.visitEnd();
    try {
      byte[] rewritten = PreemptibleClasses.rewrite(cw.toByteArray());
      var lookup = MethodHandles.lookup().defineHiddenClass(rewritten, true);
      return lookup.findStatic(
          lookup.lookupClass(),
          EffectiveAddress.HELPER,
          MethodType.methodType(int.class, int.class, int.class));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
