package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.App;
import dev.parigot.kernel.conformance.Probe;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/abi.md, "Limits": {@code cpu_slice_ms} bounds a run without a kernel entry, and {@code
 * memory_mib} caps memory.grow, which returns -1 past the cap and leaves the guest running.
 */
class CpuAndMemoryLimitTest {
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
  void aGuestSpinningWithoutEnteringTheKernelIsKilledAfterItsSliceAndOnlyIt() throws Exception {
    App app =
        k.launch(
            """
            app = "cpu"
            [limits]
            cpu_slice_ms = 100
            [program.echo]
            wasm = "echo.wasm"
            role = "service"
            exports = ["test.v1.Echo"]
            [program.spinner]
            wasm = "iso-spin.wasm"
            role = "main"
            args = ["s"]
            [program.patient]
            wasm = "iso-spin.wasm"
            role = "main"
            args = ["w"]
            """,
            "echo",
            "iso-spin");

    assertThat(k.awaitEnding("spinner"))
        .isEqualTo("70 CPU slice exceeded: ran more than 100 ms without entering the kernel");
    // Busy for 600 ms too, but entering the kernel (wait with timeout 0) every 10000 rounds.
    assertThat(k.awaitEnding("patient")).isEqualTo("0");
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(70);
    assertThat(k.call("test.v1.Echo", 1, "alive").await()).isEqualTo("END alive");
  }

  @Test
  void aSpinnerStartedAfterAnotherWasStoppedIsStoppedToo() throws Exception {
    // Stopping a process switches compiled guest code to checking the interrupt flag, and its end
    // switches it back (see Preemption): the second spinner's loop runs, and is compiled, in
    // between or after, and must be stopped all the same.
    for (String name : new String[] {"first", "second"}) {
      k.launch(
          """
          app = "%s"
          [limits]
          cpu_slice_ms = 100
          [program.%s]
          wasm = "iso-spin.wasm"
          role = "main"
          args = ["s"]
          """
              .formatted(name, name),
          "iso-spin");
      assertThat(k.awaitEnding(name))
          .isEqualTo("70 CPU slice exceeded: ran more than 100 ms without entering the kernel");
    }
  }

  @Test
  void withTheWatchdogOffASpinningGuestIsNotKilledUntilTheKernelCloses(@TempDir Path other)
      throws Exception {
    var unguarded = new IsoKernel(other, false);
    App app =
        unguarded.launch(
            """
            app = "unguarded"
            [limits]
            cpu_slice_ms = 100
            [program.spinner]
            wasm = "iso-spin.wasm"
            role = "main"
            args = ["s"]
            """,
            "iso-spin");
    assertThat(app.awaitMains(Duration.ofMillis(500))).as("still spinning").isEmpty();
    unguarded.close();
    assertThat(unguarded.awaitEnding("spinner")).isEqualTo("70 the kernel is shutting down");
  }

  @Test
  void memoryGrowPastMemoryMibReturnsMinusOneAndTheGuestGoesOn() throws Exception {
    App app =
        k.launch(
            """
            app = "memory"
            [program.grower]
            wasm = "iso-grow.wasm"
            role = "main"
            requires = ["%s"]
            limits = { memory_mib = 1 }
            """
                .formatted(Probe.NAME),
            "iso-grow");

    assertThat(report(1)).as("grow 15 pages, to the 16-page cap: the old size").isEqualTo(1);
    assertThat(report(2)).as("grow 1 page past the cap").isEqualTo(-1);
    assertThat(report(3)).as("grow 65536 pages").isEqualTo(-1);
    assertThat(report(4)).as("memory.size after the refusals").isEqualTo(16);
    assertThat(report(5)).as("the last word of the last page").isEqualTo(0x5a5a5a5a);
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
  }

  private int report(int tag) throws InterruptedException {
    Probe.Report r = k.probe.next();
    assertThat(r.method()).as("report tag").isEqualTo(tag);
    return r.asInt();
  }
}
