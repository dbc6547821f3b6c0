package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.Parser;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Compiled guest code polls {@link Preemption} at calls and loop back-edges; the poll checks the
 * interrupt flag and the guest's request only while some guest is asked to stop or preempted.
 */
class PreemptionTest {
  /** HotSpot's MaxTrivialSize: a method this short is inlined whatever the inlining budget. */
  private static final int TRIVIAL_BYTES = 6;

  /** The rewritten check of a class built as the engine builds it. */
  private static final MethodHandle POLL = rewrittenCheck();

  @BeforeEach
  void everyProcessStoppedByEarlierTestsHasEnded() throws InterruptedException {
    // Kernels closed by earlier tests stop their processes; their threads end within moments.
    awaitSwitchedOff();
  }

  /** Waits until no guest is asked anything and the switch has gone off after its linger. */
  private static void awaitSwitchedOff() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((Preemption.asking() || Preemption.checking()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(Preemption.asking()).as("a stopped process whose thread never ended").isFalse();
    assertThat(Preemption.checking()).as("the switch, a while after the last request").isFalse();
  }

  @Test
  void thePollIgnoresTheInterruptFlagWhileNoProcessIsBeingStopped() throws Throwable {
    Thread.currentThread().interrupt();
    try {
      poll();
    } finally {
      assertThat(Thread.interrupted()).as("the flag was left as it was").isTrue();
    }
  }

  @Test
  void whileAProcessIsBeingStoppedThePollThrowsOnAnInterruptedThreadOnlyAndEachProcessCountsOnce()
      throws Throwable {
    var stop = new Preemption.Requests();
    Preemption.stop(stop);
    Preemption.stop(stop);
    try {
      poll();
      Thread.currentThread().interrupt();
      assertThatThrownBy(PreemptionTest::poll).isInstanceOf(ChicoryInterruptedException.class);
    } finally {
      Thread.interrupted();
      Preemption.ended(stop);
    }
    Preemption.stop(stop);
    Preemption.ended(stop);
    var killedAfterItsEnd = new Preemption.Requests();
    Preemption.ended(killedAfterItsEnd);
    Preemption.stop(killedAfterItsEnd);
    // Each process counted once, and a kill after a process's end not at all: polls are cheap.
    awaitSwitchedOff();
    Thread.currentThread().interrupt();
    try {
      poll();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aPreemptionIsTakenOnceAndThenPollsAreCheapAgain() throws Throwable {
    var guest = new Preemption.Requests();
    Preemption.preempt(guest);
    Preemption.preempt(guest);
    assertThat(Preemption.asking()).isTrue();
    assertThat(Preemption.take(guest)).as("the request").isTrue();
    assertThat(Preemption.take(guest)).as("taken already").isFalse();
    assertThat(Preemption.asking()).as("no request left").isFalse();
    Preemption.preempt(guest);
    Preemption.stop(guest);
    assertThat(Preemption.take(guest)).isTrue();
    assertThat(Preemption.asking()).as("the stop stays until the end").isTrue();
    Preemption.ended(guest);
    Preemption.preempt(guest);
    assertThat(Preemption.asking()).as("a request after the end does not count").isFalse();
    awaitSwitchedOff();
    Thread.currentThread().interrupt();
    try {
      poll();
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  @Test
  void theEnginesInterruptCheckBecomesATrivialInvokedynamicPoll() {
    var module = Parser.parse(Corpus.module("iso-spin"));
    var classes = Compiler.builder(module).build().compile().classBytes().values();
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (byte[] bytes : classes) {
      checks(bytes).forEach(code -> before.addAll(calls(code)));
      for (CodeAttribute code : checks(PreemptibleClasses.rewrite(bytes))) {
        after.addAll(calls(code));
        sizes.add(code.codeLength());
      }
    }
    assertThat(before).as("the engine's own check").contains("java/lang/Thread.isInterrupted");
    assertThat(after)
        .containsExactly("indy poll -> dev/parigot/engine/chicory/Preemption.pollSite");
    assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(TRIVIAL_BYTES));
  }

  @Test
  void thePollSiteLinksOnlyAPollThatTakesAndReturnsNothing() {
    var lookup = MethodHandles.lookup();
    assertThat(Preemption.pollSite(lookup, "poll", MethodType.methodType(void.class)).type())
        .isEqualTo(MethodType.methodType(void.class));
    assertThatThrownBy(
            () -> Preemption.pollSite(lookup, "poll", MethodType.methodType(int.class, int.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(int)int");
  }

  private static void poll() throws Throwable {
    POLL.invokeExact();
  }

  /** The code of every static {@code checkInterruption()V} in a class. */
  private static List<CodeAttribute> checks(byte[] classBytes) {
    return ClassFile.of().parse(classBytes).methods().stream()
        .filter(m -> m.methodName().equalsString(PreemptibleClasses.CHECK_METHOD))
        .filter(m -> m.methodTypeSymbol().descriptorString().equals("()V"))
        .flatMap(m -> m.findAttribute(Attributes.code()).stream())
        .toList();
  }

  /** owner.name of every method a method's code calls; "indy name -> owner.bootstrap" for indy. */
  private static List<String> calls(CodeAttribute code) {
    List<String> calls = new ArrayList<>();
    for (var element : code) {
      if (element instanceof InvokeInstruction call) {
        calls.add(call.owner().asInternalName() + "." + call.name().stringValue());
      } else if (element instanceof InvokeDynamicInstruction indy) {
        var bootstrap = indy.bootstrapMethod();
        calls.add(
            "indy "
                + indy.name().stringValue()
                + " -> "
                + bootstrap.owner().descriptorString().replaceAll("^L|;$", "")
                + "."
                + bootstrap.methodName());
      }
    }
    return calls;
  }

  /** A hidden class with the engine's empty check, rewritten; its check as a handle. */
  private static MethodHandle rewrittenCheck() {
    var cw = EngineShapedClass.withEmptyCheck("dev/parigot/engine/chicory/PreemptionTestCheck");
    cw.visitEnd();
    try {
      byte[] rewritten = PreemptibleClasses.rewrite(cw.toByteArray());
      var lookup = MethodHandles.lookup().defineHiddenClass(rewritten, true);
      return lookup.findStatic(
          lookup.lookupClass(), PreemptibleClasses.CHECK_METHOD, MethodType.methodType(void.class));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
