package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.App;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/abi.md, "Death": a trap of any kind kills only the process that trapped. It exits with code
 * 70 and a reason that names the trap and shows the wasm stack; another process of the same app
 * keeps serving, and the kernel keeps launching apps.
 *
 * <p>Each test runs {@code iso-trap} (which traps as its argument says) next to the {@code echo}
 * service, in one app.
 */
class TrapIsolationTest {
  @TempDir Path dir;
  private IsoKernel k;

  @BeforeEach
  void kernel() {
    k = new IsoKernel(dir);
  }

  @AfterEach
  void close() {
    k.close();
  }

  @Test
  void unreachableKillsOnlyTheProcessThatReachedIt() throws Exception {
    assertThat(trap("u")).contains("unreachable");
  }

  @Test
  void aDivideByZeroKillsOnlyTheProcessThatDidIt() throws Exception {
    assertThat(trap("d")).containsIgnoringCase("divide by zero");
  }

  @Test
  void aLoadPastTheEndOfMemoryKillsOnlyTheProcessThatDidIt() throws Exception {
    assertThat(trap("o")).containsIgnoringCase("out of bounds");
  }

  @Test
  void aLoadWhoseOffsetReachesPastTwoGibibytesKillsOnlyTheProcessThatDidIt() throws Exception {
    // 'w' (119) + 16 + offset 2147483632: the sum no int holds, reported unsigned.
    assertThat(trap("w")).contains("out of bounds").contains("2147483767");
  }

  @Test
  void unboundedRecursionKillsOnlyTheProcessThatRecursed() throws Exception {
    assertThat(trap("s")).contains("call stack exhausted");
  }

  @Test
  void anIndirectCallToAFunctionOfAnotherTypeKillsOnlyTheCaller() throws Exception {
    assertThat(trap("t")).containsIgnoringCase("indirect call type mismatch");
  }

  @Test
  void anIndirectCallThroughANullTableSlotKillsOnlyTheCaller() throws Exception {
    assertThat(trap("n")).containsIgnoringCase("uninitialized element");
  }

  @Test
  void anIndirectCallPastTheEndOfTheTableKillsOnlyTheCaller() throws Exception {
    assertThat(trap("x")).containsIgnoringCase("undefined element");
  }

  @Test
  void aGuestThatDoesNotTrapIsNotKilled() throws Exception {
    launchVictim("z");

    assertThat(k.awaitEnding("victim")).isEqualTo("3");
  }

  /**
   * Runs the victim with {@code kind}, checks what every trap must do, and returns the kill reason
   * for the test to check that it names the trap.
   */
  private String trap(String kind) throws Exception {
    App app = launchVictim(kind);

    String ending = k.awaitEnding("victim");
    assertThat(ending).startsWith("70 trap: ");
    assertThat(ending).containsPattern("\n  wasm stack: func\\[\\d+\\]");
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(137);

    // The other process of the app is alive and answers.
    assertThat(k.call("test.v1.Echo", 1, "still here").await()).isEqualTo("END still here");
    assertThat(k.endings()).noneMatch(e -> e.startsWith("echo["));

    // The kernel still launches and runs apps.
    App next =
        k.launch(
            """
            app = "after"
            [program.after]
            wasm = "exit-code.wasm"
            role = "main"
            """,
            "exit-code");
    assertThat(next.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(42);
    return ending;
  }

  private App launchVictim(String kind) {
    return k.launch(
        """
        app = "traps"
        [program.echo]
        wasm = "echo.wasm"
        role = "service"
        exports = ["test.v1.Echo"]
        [program.victim]
        wasm = "iso-trap.wasm"
        role = "main"
        args = ["%s"]
        """
            .formatted(kind),
        "echo",
        "iso-trap");
  }
}
