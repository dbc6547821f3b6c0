package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.WasmRuntimeException;
import java.util.Objects;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The effective address of a guest load or store, {@code base + offset}, computed so that the JIT
 * can prove a loop's accesses in bounds once, before the loop. Public only because the compiled
 * classes live in their own class loader and trap through {@link #outOfBounds}; it is not for
 * applications.
 *
 * <p>The engine copies a helper {@code static int getAddr(int base, int offset)} into each module's
 * classes and calls it at every load and store: it returns {@code base} when {@code base} is
 * negative (an unsigned address of 2 GiB or more, for the memory to reject) and {@code base +
 * offset} otherwise. Whenever the instruction's offset is not 0 that conditional gives the address
 * two definitions, the JIT no longer sees it as a linear function of the loop's counter, and it
 * keeps the memory's bounds checks inside every such loop. {@link PreemptibleClasses} replaces the
 * helper's body with {@link #writeBody}'s: {@code Objects.checkIndex(base, MAX_VALUE - offset) +
 * offset}. The JIT knows {@code checkIndex} as a range check, hoists it like the memory's own, and
 * the sum is linear again (RATIONALE.md, "Why does the kernel rewrite the engine's address
 * helper?").
 *
 * <p>The engine emits a trap in place of any access whose offset is 2 GiB or more, so the offset
 * here is in {@code [0, MAX_VALUE)}; the check fails exactly when the unsigned base is 2 GiB or
 * more or the sum overflows, and no memory, at most {@link LinearMemory#MAX_PAGES} pages, reaches
 * that far.
 */
public final class EffectiveAddress {
  static final String HELPER = "getAddr";
  static final String HELPER_DESCRIPTOR = "(II)I";
  private static final String INDEX_ERROR = Type.getInternalName(IndexOutOfBoundsException.class);

  private EffectiveAddress() {}

  /**
   * The trap of an access at {@code base + offset} (both unsigned) that is past any memory.
   *
   * @return the trap, for the caller to throw
   */
  public static WasmRuntimeException outOfBounds(int base, int offset) {
    return new WasmRuntimeException(
        "out of bounds memory access: attempted to access address: "
            + (Integer.toUnsignedLong(base) + Integer.toUnsignedLong(offset))
            + " (base "
            + Integer.toUnsignedString(base)
            + " + offset "
            + Integer.toUnsignedString(offset)
            + "), past the largest memory");
  }

  /** Writes the helper's new body (its code, from start to end) into {@code method}. */
  static void writeBody(MethodVisitor method) {
    var start = new Label();
    var end = new Label();
    var handler = new Label();
    method.visitCode();
    method.visitTryCatchBlock(start, end, handler, INDEX_ERROR);
    method.visitLabel(start);
    method.visitVarInsn(Opcodes.ILOAD, 0);
    method.visitLdcInsn(Integer.MAX_VALUE);
    method.visitVarInsn(Opcodes.ILOAD, 1);
    method.visitInsn(Opcodes.ISUB);
    method.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        Type.getInternalName(Objects.class),
        "checkIndex",
        Type.getMethodDescriptor(Type.INT_TYPE, Type.INT_TYPE, Type.INT_TYPE),
        false);
    method.visitLabel(end);
    method.visitVarInsn(Opcodes.ILOAD, 1);
    method.visitInsn(Opcodes.IADD);
    method.visitInsn(Opcodes.IRETURN);
    method.visitLabel(handler);
    // The frame where the handler starts: the two int arguments, and the exception on the stack.
    method.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {INDEX_ERROR});
    method.visitInsn(Opcodes.POP);
    method.visitVarInsn(Opcodes.ILOAD, 0);
    method.visitVarInsn(Opcodes.ILOAD, 1);
    method.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        Type.getInternalName(EffectiveAddress.class),
        "outOfBounds",
        Type.getMethodDescriptor(
            Type.getType(WasmRuntimeException.class), Type.INT_TYPE, Type.INT_TYPE),
        false);
    method.visitInsn(Opcodes.ATHROW);
    method.visitMaxs(3, 2);
    method.visitEnd();
  }
}
