package dev.parigot.engine.chicory;

import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Loads the classes the engine compiles a module to, with the engine's interrupt check replaced by
 * an {@code invokedynamic} linked by {@link Preemption#pollSite}. The engine copies its helper
 * methods into each module's classes and calls {@code checkInterruption()} among them at every call
 * and loop back-edge; this rewrites that method's body, those of the address helper {@link
 * EffectiveAddress} and the memory helpers {@link GuestAccess} replace, and leaves all other code
 * as compiled.
 *
 * <p>The new body is six bytes of bytecode, the JIT's {@code MaxTrivialSize}: a trivial method is
 * inlined even into a guest function past the JIT's inlining budget, and the invokedynamic's
 * adapters are always inlined, so no poll stays a call (RATIONALE.md, "Why does guest code poll a
 * call site instead of the interrupt flag?").
 */
final class PreemptibleClasses extends ClassLoadingCollector {
  static final String CHECK_METHOD = "checkInterruption";
  private static final Handle POLL_SITE =
      new Handle(
          Opcodes.H_INVOKESTATIC,
          Type.getInternalName(Preemption.class),
          "pollSite",
          Type.getMethodDescriptor(
              Type.getType(CallSite.class),
              Type.getType(MethodHandles.Lookup.class),
              Type.getType(String.class),
              Type.getType(MethodType.class)),
          false);

  @Override
  public void putMainClass(String name, byte[] bytes) {
    super.putMainClass(name, CountedLoops.rewrite(rewrite(bytes)));
  }

  @Override
  public void put(String name, byte[] bytes) {
    super.put(name, CountedLoops.rewrite(rewrite(bytes)));
  }

  /** Methods of all the classes collected over the JIT's size limit ({@link JitOptions}). */
  Map<String, Integer> hugeMethods() {
    Map<String, Integer> huge = new HashMap<>();
    classBytes().values().forEach(bytes -> huge.putAll(JitOptions.hugeMethods(bytes)));
    return huge;
  }

  /** Writes a body that passes its arguments on to {@link GuestAccess}'s method {@code name}. */
  private static void forward(MethodVisitor method, String name, String descriptor) {
    method.visitCode();
    int slot = 0;
    for (Type argument : Type.getArgumentTypes(descriptor)) {
      method.visitVarInsn(argument.getOpcode(Opcodes.ILOAD), slot);
      slot += argument.getSize();
    }
    method.visitMethodInsn(
        Opcodes.INVOKESTATIC, Type.getInternalName(GuestAccess.class), name, descriptor, false);
    method.visitInsn(Type.getReturnType(descriptor).getOpcode(Opcodes.IRETURN));
    method.visitMaxs(slot, slot);
    method.visitEnd();
  }

  /**
   * The class with any static {@code checkInterruption()V} polling instead, any static {@code
   * getAddr(II)I} computing addresses as {@link EffectiveAddress} does, and the memory helpers
   * {@link GuestAccess} replaces calling it.
   */
  static byte[] rewrite(byte[] bytes) {
    var reader = new ClassReader(bytes);
    var writer = new ClassWriter(reader, 0);
    var found = new boolean[1];
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor out = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((access & Opcodes.ACC_STATIC) == 0) {
              return out;
            }
            // Write a new body and drop the old one (a null visitor skips its code).
            if (name.equals(CHECK_METHOD) && descriptor.equals("()V")) {
              out.visitCode();
              out.visitInvokeDynamicInsn("poll", "()V", POLL_SITE);
              out.visitInsn(Opcodes.RETURN);
              out.visitMaxs(0, 0);
              out.visitEnd();
            } else if (descriptor.equals(GuestAccess.HELPERS.get(name))) {
              forward(out, name, descriptor);
            } else if (name.equals(EffectiveAddress.HELPER)
                && descriptor.equals(EffectiveAddress.HELPER_DESCRIPTOR)) {
              EffectiveAddress.writeBody(out);
            } else {
              return out;
            }
            found[0] = true;
            return null;
          }
        },
        0);
    return found[0] ? writer.toByteArray() : bytes;
  }
}
