package dev.parigot.engine.chicory;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Rewrites the exit test of loops that step a counter by a constant and end when it equals a limit,
 * so that the JIT can count them.
 *
 * <p>Compilers lower {@code for (p = a; p != end; p += 16)} to a wasm loop that ends on {@code
 * i32.ne}, and the engine compiles it to {@code OpcodeImpl.I32_NE} and a branch. C2 optimises a
 * loop (range-check elimination, unrolling, vectorisation) only once it is a counted loop, and it
 * never counts a loop that ends on {@code !=} unless the step is 1 or -1. For a positive step this
 * replaces
 *
 * <pre>{@code
 * i = i + step; if (i != limit) continue; else break;
 * }</pre>
 *
 * with the equivalent
 *
 * <pre>{@code
 * i = i + step; if (i < limit) continue; if (i == limit) break; continue;
 * }</pre>
 *
 * (with {@code >} for a negative step), and likewise a loop that ends when its counter reaches 0,
 * which the engine branches on directly. Each branch does what the original does for every value of
 * {@code i}, so the rewrite holds for any loop; when the counter meets the limit exactly, as
 * compilers arrange, the last {@code continue} is never taken, the JIT's profile says so, and it
 * compiles the loop as counted on {@code <}. A loop that ever overshoots its limit still runs as
 * written, in code the JIT then compiles without the assumption.
 */
final class CountedLoops {
  static final String OPCODES = "com/dylibso/chicory/runtime/OpcodeImpl";
  private static final String GENERATED = "com/dylibso/chicory/$gen/";

  private CountedLoops() {}

  /** The class with each such loop's exit rewritten; the same bytes when it has none. */
  static byte[] rewrite(byte[] classFile) {
    var node = new ClassNode();
    new ClassReader(classFile).accept(node, 0);
    int rewritten = 0;
    for (MethodNode method : node.methods) {
      rewritten += rewrite(method.instructions);
    }
    if (rewritten == 0) {
      return classFile;
    }
    var writer = new FrameWriter();
    node.accept(writer);
    return writer.toByteArray();
  }

  /**
   * Recomputes the stack map frames, which the new branch target needs. Merging two reference types
   * asks for their common superclass; the engine's own classes are not loadable from here while
   * they are being defined, and none of them is a supertype of another, so they merge to Object.
   */
  private static final class FrameWriter extends ClassWriter {
    FrameWriter() {
      super(COMPUTE_FRAMES);
    }

    @Override
    protected String getCommonSuperClass(String type1, String type2) {
      if (type1.equals(type2)) {
        return type1;
      }
      if (type1.startsWith(GENERATED) || type2.startsWith(GENERATED)) {
        return "java/lang/Object";
      }
      return super.getCommonSuperClass(type1, type2);
    }

    @Override
    protected ClassLoader getClassLoader() {
      return CountedLoops.class.getClassLoader();
    }
  }

  /** Rewrites the loop exits of one method; how many. */
  static int rewrite(InsnList code) {
    int rewritten = 0;
    // Taken first: a rewrite removes the instruction a walk would go on from.
    for (AbstractInsnNode insn : code.toArray()) {
      if (rewriteExit(code, insn)) {
        rewritten++;
      }
    }
    return rewritten;
  }

  /**
   * Rewrites the loop exit at {@code test} if the code around it is exactly
   *
   * <pre>
   * ILOAD i; step; IADD; DUP; ISTORE i; limit; I32_NE; IFEQ exit; checkInterruption; GOTO head
   * ILOAD i; step; IADD; DUP; ISTORE i;               IFEQ exit; checkInterruption; GOTO head
   * </pre>
   *
   * where {@code test} is the I32_NE or, in the second form (a limit of 0), the IFEQ; step is an
   * int constant other than 0, limit an int constant or another local, and head comes before: the
   * engine's shape for a loop's {@code br_if} on a counter it just stepped.
   */
  private static boolean rewriteExit(InsnList code, AbstractInsnNode test) {
    boolean zeroLimit = test.getOpcode() == Opcodes.IFEQ;
    if (!zeroLimit && !isCall(test, OPCODES, "I32_NE", "(II)I")) {
      return false;
    }
    AbstractInsnNode limit = zeroLimit ? null : test.getPrevious();
    AbstractInsnNode store = zeroLimit ? test.getPrevious() : previous(limit);
    AbstractInsnNode dup = previous(store);
    AbstractInsnNode add = previous(dup);
    AbstractInsnNode step = previous(add);
    AbstractInsnNode load = previous(step);
    AbstractInsnNode exit = zeroLimit ? test : test.getNext();
    AbstractInsnNode poll = next(exit);
    AbstractInsnNode back = next(poll);
    if (!(load instanceof VarInsnNode counter)
        || counter.getOpcode() != Opcodes.ILOAD
        || !(store instanceof VarInsnNode stored)
        || stored.getOpcode() != Opcodes.ISTORE
        || stored.var != counter.var
        || dup.getOpcode() != Opcodes.DUP
        || add.getOpcode() != Opcodes.IADD
        || !(exit instanceof JumpInsnNode exitJump)
        || exit.getOpcode() != Opcodes.IFEQ
        || !isCall(poll, null, PreemptibleClasses.CHECK_METHOD, "()V")
        || !(back instanceof JumpInsnNode backJump)
        || back.getOpcode() != Opcodes.GOTO
        || !before(code, backJump.label, back)) {
      return false;
    }
    Integer stride = intConstant(step);
    boolean invariantLimit =
        zeroLimit
            || intConstant(limit) != null
            || (limit instanceof VarInsnNode l
                && l.getOpcode() == Opcodes.ILOAD
                && l.var != counter.var);
    if (stride == null || stride == 0 || !invariantLimit) {
      return false;
    }
    var continueLoop = new LabelNode();
    var exits = new InsnList();
    if (zeroLimit) {
      exits.add(new JumpInsnNode(stride > 0 ? Opcodes.IFLT : Opcodes.IFGT, continueLoop));
      exits.add(new VarInsnNode(Opcodes.ILOAD, counter.var));
      exits.add(new JumpInsnNode(Opcodes.IFEQ, exitJump.label));
    } else {
      exits.add(new JumpInsnNode(stride > 0 ? Opcodes.IF_ICMPLT : Opcodes.IF_ICMPGT, continueLoop));
      exits.add(new VarInsnNode(Opcodes.ILOAD, counter.var));
      exits.add(limit.clone(null));
      exits.add(new JumpInsnNode(Opcodes.IF_ICMPEQ, exitJump.label));
    }
    exits.add(continueLoop);
    code.insert(exit, exits);
    if (!zeroLimit) {
      code.remove(test);
    }
    code.remove(exit);
    return true;
  }

  private static AbstractInsnNode previous(AbstractInsnNode insn) {
    return insn == null ? null : insn.getPrevious();
  }

  private static AbstractInsnNode next(AbstractInsnNode insn) {
    return insn == null ? null : insn.getNext();
  }

  private static boolean isCall(AbstractInsnNode insn, String owner, String name, String desc) {
    return insn instanceof MethodInsnNode call
        && call.getOpcode() == Opcodes.INVOKESTATIC
        && (owner == null || call.owner.equals(owner))
        && call.name.equals(name)
        && call.desc.equals(desc);
  }

  /** Whether {@code label} is placed before {@code insn}: the jump to it goes back. */
  private static boolean before(InsnList code, LabelNode label, AbstractInsnNode insn) {
    return code.indexOf(label) < code.indexOf(insn);
  }

  /** The value an int constant instruction pushes; null for any other instruction. */
  static Integer intConstant(AbstractInsnNode insn) {
    if (insn == null) {
      return null;
    }
    int op = insn.getOpcode();
    if (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5) {
      return op - Opcodes.ICONST_0;
    }
    if ((op == Opcodes.BIPUSH || op == Opcodes.SIPUSH) && insn instanceof IntInsnNode i) {
      return i.operand;
    }
    if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof Integer i) {
      return i;
    }
    return null;
  }
}
