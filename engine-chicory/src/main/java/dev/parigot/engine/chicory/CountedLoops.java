package dev.parigot.engine.chicory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
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
 *
 * <p>The JIT often compiles a guest function before some of its loops have run, with no profile for
 * them; such a loop keeps the last {@code continue} as a second back edge, is not counted, and
 * keeps every bounds check. So when the code proves that the loop cannot overshoot (the counter
 * enters it as a constant from which whole steps reach the limit, and nothing else writes it) the
 * exit is only
 *
 * <pre>{@code
 * i = i + step; poll; if (i < limit) continue; else break;
 * }</pre>
 *
 * with the preemption poll before the test, where the JIT strip-mines the loop: its own safepoint
 * poll moves to an outer loop run once every few thousand rounds.
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
      rewritten += rewrite(method);
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
  static int rewrite(MethodNode method) {
    InsnList code = method.instructions;
    // Found and proved on the code as compiled, before a rewrite moves any of it.
    List<Exit> exits = new ArrayList<>();
    for (AbstractInsnNode insn : code) {
      Exit exit = Exit.at(code, insn);
      if (exit != null) {
        exits.add(exit);
      }
    }
    Set<Exit> exact = exactLoops(method, exits);
    for (Exit exit : exits) {
      exit.rewrite(code, exact.contains(exit));
    }
    return exits.size();
  }

  /**
   * A loop exit the engine compiled as
   *
   * <pre>
   * ILOAD i; step; IADD; DUP; ISTORE i; limit; I32_NE; IFEQ exit; checkInterruption; GOTO head
   * ILOAD i; step; IADD; DUP; ISTORE i;               IFEQ exit; checkInterruption; GOTO head
   * </pre>
   *
   * where {@code test} is the I32_NE or, in the second form (a limit of 0), the IFEQ; step is an
   * int constant other than 0, limit an int constant or another local ({@code null} in the second
   * form), and head comes before: the engine's shape for a loop's {@code br_if} on a counter it
   * just stepped.
   */
  private record Exit(
      AbstractInsnNode test,
      VarInsnNode store,
      int stride,
      AbstractInsnNode limit,
      JumpInsnNode exit,
      AbstractInsnNode poll,
      JumpInsnNode back) {

    /** The exit whose test is {@code test}; null if the code there is not such an exit. */
    static Exit at(InsnList code, AbstractInsnNode test) {
      boolean zeroLimit = test.getOpcode() == Opcodes.IFEQ;
      if (!zeroLimit && !isCall(test, OPCODES, "I32_NE", "(II)I")) {
        return null;
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
        return null;
      }
      Integer stride = intConstant(step);
      boolean invariantLimit =
          zeroLimit
              || intConstant(limit) != null
              || (limit instanceof VarInsnNode l
                  && l.getOpcode() == Opcodes.ILOAD
                  && l.var != counter.var);
      if (stride == null || stride == 0 || !invariantLimit) {
        return null;
      }
      return new Exit(test, stored, stride, limit, exitJump, poll, backJump);
    }

    int counter() {
      return store.var;
    }

    /** The limit when it is a constant (0 in the second form); null when it is a local. */
    Integer constantLimit() {
      return limit == null ? Integer.valueOf(0) : intConstant(limit);
    }

    /**
     * Rewrites this exit: to a single test before the back edge when the loop {@code meetsLimit}
     * (proved by {@link #exactLoops}), to a test and the overshoot's test otherwise.
     */
    void rewrite(InsnList code, boolean meetsLimit) {
      var exits = new InsnList();
      if (meetsLimit) {
        // The stepped counter on the stack (and the limit) go; the poll moves before the test.
        exits.add(new InsnNode(Opcodes.POP));
        exits.add(poll.clone(null));
        exits.add(new VarInsnNode(Opcodes.ILOAD, counter()));
        if (limit == null) {
          exits.add(new JumpInsnNode(stride > 0 ? Opcodes.IFLT : Opcodes.IFGT, back.label));
        } else {
          exits.add(limit.clone(null));
          exits.add(
              new JumpInsnNode(stride > 0 ? Opcodes.IF_ICMPLT : Opcodes.IF_ICMPGT, back.label));
          code.remove(limit);
        }
        exits.add(new JumpInsnNode(Opcodes.GOTO, exit.label));
        code.insert(back, exits);
        code.remove(poll);
        code.remove(back);
      } else {
        var continueLoop = new LabelNode();
        if (limit == null) {
          exits.add(new JumpInsnNode(stride > 0 ? Opcodes.IFLT : Opcodes.IFGT, continueLoop));
          exits.add(new VarInsnNode(Opcodes.ILOAD, counter()));
          exits.add(new JumpInsnNode(Opcodes.IFEQ, exit.label));
        } else {
          exits.add(
              new JumpInsnNode(stride > 0 ? Opcodes.IF_ICMPLT : Opcodes.IF_ICMPGT, continueLoop));
          exits.add(new VarInsnNode(Opcodes.ILOAD, counter()));
          exits.add(limit.clone(null));
          exits.add(new JumpInsnNode(Opcodes.IF_ICMPEQ, exit.label));
        }
        exits.add(continueLoop);
        code.insert(exit, exits);
      }
      if (limit != null) {
        code.remove(test);
      }
      code.remove(exit);
    }
  }

  /** How far back from a loop's head to look for its counter's constant start. */
  private static final int START_SEARCH = 64;

  /**
   * The exits, of {@code exits}, that can be a single test: those that start their counter at a
   * constant from which whole steps bring it to exactly a constant limit, and write it only by the
   * step. Every test then sees a counter short of the limit or at it, and {@code i < limit} (for a
   * negative stride {@code i > limit}) is {@code i != limit}. The loop must be entered only by
   * falling into its head from straight-line code that stores the constant: no jump from outside
   * and no exception handler lands in it, nor between that store and the head.
   */
  private static Set<Exit> exactLoops(MethodNode method, List<Exit> exits) {
    InsnList code = method.instructions;
    Set<LabelNode> targets = new HashSet<>();
    List<int[]> jumps = new ArrayList<>(); // from, to
    for (AbstractInsnNode insn : code) {
      for (LabelNode target : targets(insn)) {
        targets.add(target);
        jumps.add(new int[] {code.indexOf(insn), code.indexOf(target)});
      }
    }
    Set<LabelNode> handlers = new HashSet<>();
    method.tryCatchBlocks.forEach(block -> handlers.add(block.handler));
    targets.addAll(handlers);
    Set<Exit> exact = new HashSet<>();
    for (Exit exit : exits) {
      if (exit.constantLimit() != null
          && entersOnlyFromAbove(code, handlers, jumps, exit)
          && meetsLimit(code, targets, exit, exit.constantLimit())) {
        exact.add(exit);
      }
    }
    return exact;
  }

  /**
   * Whether the only way into the loop of {@code exit} from outside is its head, by falling into
   * it, and nothing in it but the step writes the counter.
   */
  private static boolean entersOnlyFromAbove(
      InsnList code, Set<LabelNode> handlers, List<int[]> jumps, Exit exit) {
    int head = code.indexOf(exit.back().label);
    int end = code.indexOf(exit.back());
    for (int[] jump : jumps) {
      boolean fromOutside = jump[0] < head || jump[0] > end;
      if (fromOutside && jump[1] >= head && jump[1] <= end) {
        return false;
      }
    }
    for (AbstractInsnNode insn = exit.back().label; insn != exit.back(); insn = insn.getNext()) {
      boolean handler = insn instanceof LabelNode label && handlers.contains(label);
      if (handler || (insn != exit.store() && writes(insn, exit.counter()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the straight-line code just above the head of the loop of {@code exit} stores a
   * constant in its counter from which whole steps reach {@code limit} without passing it.
   */
  private static boolean meetsLimit(InsnList code, Set<LabelNode> targets, Exit exit, long limit) {
    int looked = 0;
    for (AbstractInsnNode insn = exit.back().label.getPrevious();
        insn != null && looked < START_SEARCH;
        insn = insn.getPrevious(), looked++) {
      if (insn instanceof LabelNode label) {
        if (targets.contains(label)) {
          return false;
        }
      } else if (insn.getOpcode() >= 0) { // not a frame or line number
        if (insn instanceof VarInsnNode store
            && store.getOpcode() == Opcodes.ISTORE
            && store.var == exit.counter()) {
          Integer start = intConstant(store.getPrevious());
          long stride = exit.stride();
          long distance = start == null ? 0 : stride > 0 ? limit - start : start - limit;
          return distance > 0 && distance % Math.abs(stride) == 0;
        }
        if (writes(insn, exit.counter()) || !fallsThrough(insn)) {
          return false;
        }
      }
    }
    return false;
  }

  /** The labels {@code insn} may jump to. */
  private static List<LabelNode> targets(AbstractInsnNode insn) {
    return switch (insn) {
      case JumpInsnNode jump -> List.of(jump.label);
      case TableSwitchInsnNode table -> withDefault(table.labels, table.dflt);
      case LookupSwitchInsnNode lookup -> withDefault(lookup.labels, lookup.dflt);
      default -> List.of();
    };
  }

  private static List<LabelNode> withDefault(List<LabelNode> labels, LabelNode dflt) {
    var all = new ArrayList<>(labels);
    all.add(dflt);
    return all;
  }

  /** Whether {@code insn} stores into int local {@code local}, whole or in part. */
  private static boolean writes(AbstractInsnNode insn, int local) {
    if (insn instanceof IincInsnNode inc) {
      return inc.var == local;
    }
    if (!(insn instanceof VarInsnNode v) || v.getOpcode() < Opcodes.ISTORE) {
      return false; // a load, or not a local at all
    }
    // A long or a double takes two slots: one stored at local - 1 overwrites local too.
    boolean wide = v.getOpcode() == Opcodes.LSTORE || v.getOpcode() == Opcodes.DSTORE;
    return v.var == local || (wide && v.var == local - 1);
  }

  /** Whether control always goes on from {@code insn} to the next instruction. */
  private static boolean fallsThrough(AbstractInsnNode insn) {
    int op = insn.getOpcode();
    return targets(insn).isEmpty()
        && !(op >= Opcodes.IRETURN && op <= Opcodes.RETURN)
        && op != Opcodes.ATHROW;
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
