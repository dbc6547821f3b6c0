package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  /** How the generated loop ends. */
  enum Shape {
    /** {@code i != limit}, limit a constant or local. */
    NE_LIMIT,
    /** {@code i != 0}: the engine branches on the counter itself. */
    NE_ZERO,
    /** {@code i != limit} with a step read from a local: not rewritten. */
    STEP_IN_LOCAL
  }

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
    byte[] original = loopClass(step, Shape.NE_LIMIT, 1);
    byte[] rewritten = CountedLoops.rewrite(original);

    assertThat(calls(rewritten, "I32_NE")).isZero();
    assertThat(run(rewritten, start, limit)).isEqualTo(run(original, start, limit));
  }

  @ParameterizedTest(name = "start {0}, step {1}")
  @CsvSource({"-526336, 8224", "526336, -8224", "-10, 1", "0, 1", "1, 16", "-7, 3"})
  void aLoopEndingOnZeroRunsAsTheOriginal(int start, int step) throws Throwable {
    byte[] original = loopClass(step, Shape.NE_ZERO, 1);
    byte[] rewritten = CountedLoops.rewrite(original);

    assertThat(rewritten).isNotEqualTo(original);
    assertThat(run(rewritten, start, 0)).isEqualTo(run(original, start, 0));
  }

  @Test
  void everyLoopOfAMethodIsRewritten() throws Throwable {
    byte[] original = loopClass(16, Shape.NE_LIMIT, 3);
    byte[] rewritten = CountedLoops.rewrite(original);

    assertThat(calls(original, "I32_NE")).isEqualTo(3);
    assertThat(calls(rewritten, "I32_NE")).isZero();
    assertThat(run(rewritten, 0, 2048)).isEqualTo(run(original, 0, 2048));
  }

  @Test
  void aLoopWhoseStepIsNotAConstantIsLeftAlone() {
    byte[] original = loopClass(16, Shape.STEP_IN_LOCAL, 1);

    assertThat(CountedLoops.rewrite(original)).isSameAs(original);
  }

  private static long calls(byte[] classFile, String name) {
    var node = new ClassNode();
    new ClassReader(classFile).accept(node, 0);
    return node.methods.stream()
        .flatMap(m -> Arrays.stream(m.instructions.toArray()))
        .filter(i -> i instanceof MethodInsnNode call && call.name.equals(name))
        .count();
  }

  private static long run(byte[] classFile, int start, int limit) throws Throwable {
    var lookup = MethodHandles.lookup().defineHiddenClass(classFile, true);
    MethodHandle loop =
        lookup.findStatic(
            lookup.lookupClass(), "loop", MethodType.methodType(long.class, int.class, int.class));
    return (long) loop.invokeExact(start, limit);
  }

  /**
   * A class in this package with {@code static long loop(int i, int limit)}: {@code copies} times
   * in a row, the engine's shape of a do-while loop that steps {@code i} by {@code step} and
   * continues while {@code i} differs from its limit, capped at {@value #CAP} rounds in all.
   * Returns the rounds and the final {@code i}.
   */
  private static byte[] loopClass(int step, Shape shape, int copies) {
    String name = "dev/parigot/engine/chicory/CountedLoopsTestLoop";
    ClassWriter cw = EngineShapedClass.withEmptyCheck(name);

    // locals: 0 i, 1 limit, 2 rounds, 3 step
    MethodVisitor m = cw.visitMethod(Opcodes.ACC_STATIC, "loop", "(II)J", null, null);
    m.visitCode();
    m.visitInsn(Opcodes.ICONST_0);
    m.visitVarInsn(Opcodes.ISTORE, 2);
    m.visitLdcInsn(step);
    m.visitVarInsn(Opcodes.ISTORE, 3);
    Label done = new Label();
    for (int copy = 0; copy < copies; copy++) {
      Label head = new Label();
      Label exit = new Label();
      m.visitLabel(head);
      m.visitIincInsn(2, 1);
      m.visitVarInsn(Opcodes.ILOAD, 2);
      m.visitLdcInsn(CAP);
      m.visitJumpInsn(Opcodes.IF_ICMPGT, done);
      m.visitVarInsn(Opcodes.ILOAD, 0);
      if (shape == Shape.STEP_IN_LOCAL) {
        m.visitVarInsn(Opcodes.ILOAD, 3);
      } else {
        m.visitLdcInsn(step);
      }
      m.visitInsn(Opcodes.IADD);
      m.visitInsn(Opcodes.DUP);
      m.visitVarInsn(Opcodes.ISTORE, 0);
      if (shape != Shape.NE_ZERO) {
        m.visitVarInsn(Opcodes.ILOAD, 1);
        m.visitMethodInsn(Opcodes.INVOKESTATIC, CountedLoops.OPCODES, "I32_NE", "(II)I", false);
      }
      m.visitJumpInsn(Opcodes.IFEQ, exit);
      m.visitMethodInsn(Opcodes.INVOKESTATIC, name, PreemptibleClasses.CHECK_METHOD, "()V", false);
      m.visitJumpInsn(Opcodes.GOTO, head);
      m.visitLabel(exit);
    }
    m.visitLabel(done);
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
