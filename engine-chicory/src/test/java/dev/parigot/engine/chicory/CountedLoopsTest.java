package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
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

  /** How a loop whose start and limit are constants is entered and written. */
  enum Entry {
    /** The constant is stored just above the head, and only the step writes the counter. */
    STRAIGHT,
    /** The body also stores the counter (its own value): not proved. */
    COUNTER_STORED_IN_BODY,
    /** A jump from above lands between the constant's store and the head: not proved. */
    JUMP_PAST_THE_START
  }

  @ParameterizedTest(name = "start {0}, limit {1}, step {2}")
  @CsvSource({
    "0, 2048, 16", // the compiled C shape
    "2048, 0, -16", // counting down to 0: the engine's IFEQ form
    "-526336, 0, 8224", // counting up to 0
    "0, 10, 1",
    "7, 10, 3",
    "-2147483648, 2147483632, 16", // most of the int range, no wrap (cut at the cap)
  })
  void aLoopThatMeetsItsConstantLimitEndsOnOneTest(int start, int limit, int step)
      throws Throwable {
    byte[] original = constantLoopClass(start, limit, step, Entry.STRAIGHT);
    byte[] rewritten = CountedLoops.rewrite(original);

    assertThat(overshootTests(rewritten)).isZero();
    assertThat(run(rewritten, 0, 0)).isEqualTo(run(original, 0, 0));
    assertThat(run(rewritten, 0, 0) >>> 32)
        .as("rounds")
        .isEqualTo(Math.min(((long) limit - start) / step, CAP + 1));
  }

  @ParameterizedTest(name = "start {0}, limit {1}, step {2}")
  @CsvSource({
    "1, 2048, 16", // never meets it
    "3000, 2048, 16", // starts past it
    "5, 5, 1", // a do-while steps past an equal limit first
    "0, 7, 3", // steps over it
    "2147483632, -2147483648, 16", // meets it only by wrapping around
  })
  void aLoopThatCouldPassItsLimitKeepsTheOvershootTest(int start, int limit, int step)
      throws Throwable {
    byte[] original = constantLoopClass(start, limit, step, Entry.STRAIGHT);
    byte[] rewritten = CountedLoops.rewrite(original);

    assertThat(overshootTests(rewritten)).isEqualTo(1);
    assertThat(run(rewritten, 0, 0)).isEqualTo(run(original, 0, 0));
  }

  @ParameterizedTest
  @EnumSource(
      value = Entry.class,
      names = {"COUNTER_STORED_IN_BODY", "JUMP_PAST_THE_START"})
  void aLoopEnteredOrWrittenOtherwiseIsNotProved(Entry entry) throws Throwable {
    byte[] original = constantLoopClass(0, 2048, 16, entry);
    byte[] rewritten = CountedLoops.rewrite(original);

    assertThat(overshootTests(rewritten)).isEqualTo(1);
    for (int i : new int[] {-1, 0, 1}) {
      assertThat(run(rewritten, i, 0)).isEqualTo(run(original, i, 0));
    }
  }

  /** The exits' tests for a counter that passed its limit: IF_ICMPEQ, or IFEQ after an ILOAD. */
  private static long overshootTests(byte[] classFile) {
    var node = new ClassNode();
    new ClassReader(classFile).accept(node, 0);
    return node.methods.stream()
        .flatMap(m -> Arrays.stream(m.instructions.toArray()))
        .filter(i ->
            i.getOpcode() == Opcodes.IF_ICMPEQ
                || (i.getOpcode() == Opcodes.IFEQ && i.getPrevious().getOpcode() == Opcodes.ILOAD))
        .count();
  }

  /**
   * {@link #loopClass}'s loop with its counter's start and its limit constants, entered as {@code
   * entry} says; {@code loop(i, limit)} ignores its limit, and its {@code i} only decides whether
   * {@link Entry#JUMP_PAST_THE_START} skips the start (when negative).
   */
  private static byte[] constantLoopClass(int start, int limit, int step, Entry entry) {
    String name = "dev/parigot/engine/chicory/CountedLoopsTestConstantLoop";
    ClassWriter cw = EngineShapedClass.withEmptyCheck(name);

    // locals: 0 i, 1 limit (unused), 2 rounds
    MethodVisitor m = cw.visitMethod(Opcodes.ACC_STATIC, "loop", "(II)J", null, null);
    m.visitCode();
    m.visitInsn(Opcodes.ICONST_0);
    m.visitVarInsn(Opcodes.ISTORE, 2);
    Label past = new Label();
    if (entry == Entry.JUMP_PAST_THE_START) {
      m.visitVarInsn(Opcodes.ILOAD, 0);
      m.visitJumpInsn(Opcodes.IFLT, past);
    }
    m.visitLdcInsn(start);
    m.visitVarInsn(Opcodes.ISTORE, 0);
    m.visitLabel(past);
    Label done = new Label();
    engineLoop(
        m,
        name,
        done,
        () -> {
          if (entry == Entry.COUNTER_STORED_IN_BODY) {
            m.visitVarInsn(Opcodes.ILOAD, 0);
            m.visitVarInsn(Opcodes.ISTORE, 0);
          }
        },
        () -> m.visitLdcInsn(step),
        limit == 0 ? null : () -> m.visitLdcInsn(limit));
    m.visitLabel(done);
    returnRoundsAndCounter(m);
    cw.visitEnd();
    return cw.toByteArray();
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
      engineLoop(
          m,
          name,
          done,
          () -> {},
          shape == Shape.STEP_IN_LOCAL
              ? () -> m.visitVarInsn(Opcodes.ILOAD, 3)
              : () -> m.visitLdcInsn(step),
          shape == Shape.NE_ZERO ? null : () -> m.visitVarInsn(Opcodes.ILOAD, 1));
    }
    m.visitLabel(done);
    returnRoundsAndCounter(m);
    cw.visitEnd();
    return cw.toByteArray();
  }

  /**
   * One loop in the engine's shape, in a method whose locals are 0 the counter and 2 the rounds of
   * all its loops: it counts a round (past {@value #CAP} it jumps to {@code done}), runs {@code
   * body}, steps the counter by what {@code step} pushes, and goes on while the counter differs
   * from what {@code limit} pushes (from 0, the engine's IFEQ form, when {@code limit} is null).
   */
  private static void engineLoop(
      MethodVisitor m, String owner, Label done, Runnable body, Runnable step, Runnable limit) {
    Label head = new Label();
    Label exit = new Label();
    m.visitLabel(head);
    m.visitIincInsn(2, 1);
    m.visitVarInsn(Opcodes.ILOAD, 2);
    m.visitLdcInsn(CAP);
    m.visitJumpInsn(Opcodes.IF_ICMPGT, done);
    body.run();
    m.visitVarInsn(Opcodes.ILOAD, 0);
    step.run();
    m.visitInsn(Opcodes.IADD);
    m.visitInsn(Opcodes.DUP);
    m.visitVarInsn(Opcodes.ISTORE, 0);
    if (limit != null) {
      limit.run();
      m.visitMethodInsn(Opcodes.INVOKESTATIC, CountedLoops.OPCODES, "I32_NE", "(II)I", false);
    }
    m.visitJumpInsn(Opcodes.IFEQ, exit);
    m.visitMethodInsn(Opcodes.INVOKESTATIC, owner, PreemptibleClasses.CHECK_METHOD, "()V", false);
    m.visitJumpInsn(Opcodes.GOTO, head);
    m.visitLabel(exit);
  }

  /** Returns {@code rounds << 32 | i} (locals 2 and 0) and ends the method. */
  private static void returnRoundsAndCounter(MethodVisitor m) {
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
  }
}
