package dev.parigot.engine.chicory;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** Test classes shaped like the engine's: with its interrupt check, here empty. */
final class EngineShapedClass {
  private EngineShapedClass() {}

  /**
   * A class writer that has begun class {@code internalName} (in this package, so that tests can
   * define it as a hidden class) with a {@code static void checkInterruption()} that does nothing.
   */
  static ClassWriter withEmptyCheck(String internalName) {
    var cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
    cw.visit(
        Opcodes.V21,
        Opcodes.ACC_FINAL | Opcodes.ACC_SUPER,
        internalName,
        null,
        "java/lang/Object",
        null);
    MethodVisitor check =
        cw.visitMethod(Opcodes.ACC_STATIC, PreemptibleClasses.CHECK_METHOD, "()V", null, null);
    check.visitCode();
    check.visitInsn(Opcodes.RETURN);
    check.visitMaxs(0, 0);
    check.visitEnd();
    return cw;
  }
}
