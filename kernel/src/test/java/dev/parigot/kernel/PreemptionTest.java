package dev.parigot.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.Parser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Compiled guest code polls {@link Preemption} at calls and loop back-edges; the poll checks the
 * interrupt flag only while some process is being stopped.
 */
class PreemptionTest {
  @BeforeEach
  void everyProcessStoppedByEarlierTestsHasEnded() throws InterruptedException {
    // Kernels closed by earlier tests stop their processes; their threads end within moments.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Preemption.stopping() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(Preemption.stopping()).as("a stopped process whose thread never ended").isFalse();
  }

  @Test
  void thePollIgnoresTheInterruptFlagWhileNoProcessIsBeingStopped() {
    Thread.currentThread().interrupt();
    try {
      Preemption.poll();
    } finally {
      assertThat(Thread.interrupted()).as("the flag was left as it was").isTrue();
    }
  }

  @Test
  void whileAProcessIsBeingStoppedThePollThrowsOnAnInterruptedThreadOnlyAndEachProcessCountsOnce() {
    var stop = new Preemption.Stop();
    Preemption.ask(stop);
    Preemption.ask(stop);
    try {
      Preemption.poll();
      Thread.currentThread().interrupt();
      assertThatThrownBy(Preemption::poll).isInstanceOf(ChicoryInterruptedException.class);
    } finally {
      Thread.interrupted();
      Preemption.ended(stop);
    }
    Preemption.ask(stop);
    Preemption.ended(stop);
    var killedAfterItsEnd = new Preemption.Stop();
    Preemption.ended(killedAfterItsEnd);
    Preemption.ask(killedAfterItsEnd);
    // Each process counted once, and a kill after a process's end not at all: polls are cheap.
    Thread.currentThread().interrupt();
    try {
      Preemption.poll();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void theEnginesInterruptCheckIsRewrittenToCallThePoll() {
    var module = Parser.parse(TestApp.corpus("iso-spin"));
    var classes = Compiler.builder(module).build().compile().classBytes().values();
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (byte[] bytes : classes) {
      before.addAll(callsIn(bytes, PreemptibleClasses.CHECK_METHOD));
      after.addAll(callsIn(PreemptibleClasses.rewrite(bytes), PreemptibleClasses.CHECK_METHOD));
    }
    assertThat(before).as("the engine's own check").contains("java/lang/Thread.isInterrupted");
    assertThat(after).containsExactly("dev/parigot/kernel/Preemption.poll");
  }

  /** owner.name of every method the named static method calls. */
  private static List<String> callsIn(byte[] classBytes, String method) {
    List<String> calls = new ArrayList<>();
    new ClassReader(classBytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public MethodVisitor visitMethod(
                  int access, String name, String descriptor, String signature, String[] ex) {
                if (!name.equals(method)) {
                  return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                  @Override
                  public void visitMethodInsn(
                      int opcode, String owner, String callee, String desc, boolean itf) {
                    calls.add(owner + "." + callee);
                  }
                };
              }
            },
            0);
    return calls;
  }
}
