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
 * docs/abi.md, "Limits": a process's tables hold at most 1,000,000 entries in all (table.grow past
 * that returns -1), and each process starts with the tables its module declares, whatever another
 * process of the same module did to its own.
 */
class TableLimitTest {
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
  void aTableGrownByOneProcessStartsAtItsDeclaredSizeInTheNext() throws Exception {
    for (String name : new String[] {"first", "second", "third"}) {
      App app =
          k.launch(
              """
              app = "%s"
              [program.%s]
              wasm = "table-leak.wasm"
              role = "main"
              requires = ["%s"]
              """
                  .formatted(name, name, Probe.NAME),
              "table-leak");
      Probe.Report r = k.probe.next();
      assertThat(r.method()).isEqualTo(1);
      assertThat(r.asInt()).as("table.size at the start of " + name).isEqualTo(1);
      assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
    }
  }

  @Test
  void tableGrowPastTheProcesssEntriesInAllReturnsMinusOneAndTheKernelGoesOn() throws Exception {
    App app =
        k.launch(
            """
            app = "tables"
            [program.echo]
            wasm = "echo.wasm"
            role = "service"
            exports = ["test.v1.Echo"]
            [program.grower]
            wasm = "table-grow.wasm"
            role = "main"
            requires = ["%s"]
            """
                .formatted(Probe.NAME),
            "echo",
            "table-grow");

    assertThat(report(1)).as("table.size $a at start").isEqualTo(1);
    assertThat(report(2)).as("grow $a by 1000").isEqualTo(1);
    assertThat(report(3)).as("grow $a to 999,999 entries").isEqualTo(1001);
    assertThat(report(4)).as("grow $b by 2, past the cap across both tables").isEqualTo(-1);
    assertThat(report(5)).as("grow $b by 1, to the cap").isEqualTo(0);
    assertThat(report(6)).as("grow $a by 1, past the cap").isEqualTo(-1);
    assertThat(report(7)).as("table.size $a after the refusals").isEqualTo(999_999);
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
    assertThat(k.call("test.v1.Echo", 1, "alive").await()).isEqualTo("END alive");
  }

  private int report(int tag) throws InterruptedException {
    Probe.Report r = k.probe.next();
    assertThat(r.method()).as("report tag").isEqualTo(tag);
    return r.asInt();
  }
}
