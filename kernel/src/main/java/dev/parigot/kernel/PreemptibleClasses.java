package dev.parigot.kernel;

import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Loads the classes the engine compiles a module to, with the engine's interrupt check replaced
 * by {@link Preemption#poll()}. The engine copies its helper methods into each module's classes
 * and calls {@code checkInterruption()} among them at every call and loop back-edge; this
 * rewrites that one method's body and leaves all other code as compiled.
 */
final class PreemptibleClasses extends ClassLoadingCollector {
  static final String CHECK_METHOD = "checkInterruption";
  private static final String POLL_OWNER = Type.getInternalName(Preemption.class);

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

  /** The class with any static {@code checkInterruption()V} calling the poll instead. */
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
            if (!name.equals(CHECK_METHOD)
                || !descriptor.equals("()V")
                || (access & Opcodes.ACC_STATIC) == 0) {
              return out;
            }
            found[0] = true;
            // Write the new body and drop the old one (a null visitor skips its code).
            out.visitCode();
            out.visitMethodInsn(Opcodes.INVOKESTATIC, POLL_OWNER, "poll", "()V", false);
            out.visitInsn(Opcodes.RETURN);
            out.visitMaxs(0, 0);
            out.visitEnd();
            return null;
          }
        },
        0);
    return found[0] ? writer.toByteArray() : bytes;
  }
}
