package dev.parigot.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * A loop that ends on {@code i != limit} after stepping {@code i} by a constant gets an exit the
 * JIT can count, and does exactly what it did for every start, limit and step.
 */
class CountedLoopsTest {
  private static final int CAP = 1_000;

  @ParameterizedTest(name = "start {0}, limit {1}, step {2}")
  @CsvSource({
    "0, 2048, 16", // meets the limit: the compiled C shape
    "2048, 0, -16", // counting down
    "0, 10, 1",
    "5, 5, 1", // a do-while steps past an equal limit first
    "1, 2048, 16", // never meets it: runs until the cap
    "3000, 2048, 16", // starts past it
    "2147483632, -2147483648, 16", // meets it only by wrapping around
    "0, 7, 3", // steps over it
  })
  void theRewrittenLoopRunsAsTheOriginal(int start, int limit, int step) throws Throwable {
    byte[] original = loopClass(step, false);
    byte[] rewritten = CountedLoops.rewrite(original);

    assertThat(rewritten).isNotEqualTo(original);
    assertThat(run(rewritten, start, limit)).isEqualTo(run(original, start, limit));
  }

  @Test
  void theExitNoLongerCallsI32Ne() {
    var node = new ClassNode();
    new ClassReader(CountedLoops.rewrite(loopClass(16, false))).accept(node, 0);

    var loop = node.methods.stream().filter(m -> m.name.equals("loop")).findFirst().orElseThrow();
    assertThat(loop.instructions.toArray())
        .noneMatch(i -> i instanceof MethodInsnNode call && call.name.equals("I32_NE"))
        .anyMatch(i -> i.getOpcode() == Opcodes.IF_ICMPLT);
  }

  @Test
  void aLoopWhoseStepIsNotAConstantIsLeftAlone() {
    byte[] original = loopClass(16, true);

    assertThat(CountedLoops.rewrite(original)).isSameAs(original);
  }

  private static long run(byte[] classFile, int start, int limit) throws Throwable {
    var lookup = MethodHandles.lookup().defineHiddenClass(classFile, true);
    MethodHandle loop =
        lookup.findStatic(
            lookup.lookupClass(), "loop", MethodType.methodType(long.class, int.class, int.class));
    return (long) loop.invokeExact(start, limit);
  }

  /**
   * A class in this package with {@code static long loop(int i, int limit)}: the engine's shape of
   * a do-while loop that steps {@code i} by {@code step} and continues while {@code i != limit},
   * capped at {@value #CAP} rounds. Returns the rounds and the final {@code i}. With {@code
   * stepInLocal}, the step is read from a local rather than being a constant.
   */
  private static byte[] loopClass(int step, boolean stepInLocal) {
    var cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
    String name = "dev/parigot/kernel/CountedLoopsTestLoop";
    cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, name, null, "java/lang/Object", null);

    MethodVisitor poll = cw.visitMethod(Opcodes.ACC_STATIC, PreemptibleClasses.CHECK_METHOD, "()V", null, null);
    poll.visitCode();
    poll.visitInsn(Opcodes.RETURN);
    poll.visitMaxs(0, 0);
    poll.visitEnd();

    // locals: 0 i, 1 limit, 2 rounds, 3 step
    MethodVisitor m = cw.visitMethod(Opcodes.ACC_STATIC, "loop", "(II)J", null, null);
    m.visitCode();
    m.visitInsn(Opcodes.ICONST_0);
    m.visitVarInsn(Opcodes.ISTORE, 2);
    m.visitLdcInsn(step);
    m.visitVarInsn(Opcodes.ISTORE, 3);
    Label head = new Label();
    Label exit = new Label();
    Label capped = new Label();
    m.visitLabel(head);
    m.visitIincInsn(2, 1);
    m.visitVarInsn(Opcodes.ILOAD, 2);
    m.visitLdcInsn(CAP);
    m.visitJumpInsn(Opcodes.IF_ICMPGT, capped);
    m.visitVarInsn(Opcodes.ILOAD, 0);
    if (stepInLocal) {
      m.visitVarInsn(Opcodes.ILOAD, 3);
    } else {
      m.visitLdcInsn(step);
    }
    m.visitInsn(Opcodes.IADD);
    m.visitInsn(Opcodes.DUP);
    m.visitVarInsn(Opcodes.ISTORE, 0);
    m.visitVarInsn(Opcodes.ILOAD, 1);
    m.visitMethodInsn(Opcodes.INVOKESTATIC, CountedLoops.OPCODES, "I32_NE", "(II)I", false);
    m.visitJumpInsn(Opcodes.IFEQ, exit);
    m.visitMethodInsn(Opcodes.INVOKESTATIC, name, PreemptibleClasses.CHECK_METHOD, "()V", false);
    m.visitJumpInsn(Opcodes.GOTO, head);
    m.visitLabel(capped);
    m.visitLabel(exit);
    // rounds << 32 | i
    m.visitVarInsn(Opcodes.ILOAD, 2);
    m.visitInsn(Opcodes.I2L);
    m.visitIntInsn(Opcodes.BIPUSH, 32);
    m.visitInsn(Opcodes.LSHL);
    m.visitVarInsn(Opcodes.ILOAD, 0);
    m.visitInsn(Opcodes.I2L);
    m.visitLdcInsn(0xFFFF_FFFFL);
    m.visitInsn(Opcodes.LAND);
    m.visitInsn(Opcodes.LOR);
    m.visitInsn(Opcodes.LRETURN);
    m.visitMaxs(0, 0);
    m.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }
}
