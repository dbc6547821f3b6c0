package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.App;
import dev.parigot.kernel.conformance.ManualClock;
import dev.parigot.kernel.conformance.Probe;
import dev.parigot.kernel.spi.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/abi.md, "Limits": a process that computes past {@code cpu_slice_ms} while others wait for a
 * carrier is preempted, not killed, whether or not it enters the kernel; {@code cpu_ms} kills it
 * past its CPU time; {@code memory_mib} caps memory.grow, which returns -1 past the cap and leaves
 * the guest running.
 */
class CpuAndMemoryLimitTest {
  /** The carriers of virtual threads, as the kernel counts them. */
  private static final int CARRIERS =
      Integer.getInteger(
          "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());

  private static final Pattern CPU_KILL =
      Pattern.compile("70 CPU time limit exceeded: used (\\d+) ms of cpu_ms = (\\d+)");

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

  @ParameterizedTest(name = "spinners that {0}")
  @ValueSource(strings = {"never enter the kernel", "enter the kernel in a loop"})
  void moreSpinnersThanCarriersAllMakeProgressAndAnEchoAnswersWithinTwoSlices(String kind)
      throws Exception {
    String mode = kind.startsWith("never") ? "p" : "c";
    int slice = 500;
    int spinners = CARRIERS + 1;
    var toml =
        new StringBuilder(
            """
            app = "share"
            [limits]
            cpu_slice_ms = %d
            [program.echo]
            wasm = "echo.wasm"
            role = "service"
            exports = ["test.v1.Echo"]
            """
                .formatted(slice));
    for (int i = 1; i <= spinners; i++) {
      toml.append(
          """
          [program.spin%d]
          wasm = "sched-spin.wasm"
          role = "main"
          args = ["%s"]
          requires = ["%s"]
          """
              .formatted(i, mode, Probe.NAME));
    }
    k.launch(toml.toString(), "echo", "sched-spin");
    var progress = new Progress(spinners);
    progress.awaitEach(1);

    List<Long> nanos = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long start = System.nanoTime();
      assertThat(k.call("test.v1.Echo", 1, "ping " + i).await()).isEqualTo("END ping " + i);
      nanos.add(System.nanoTime() - start);
    }
    nanos.sort(null);
    long p99 = nanos.get((int) Math.ceil(nanos.size() * 0.99) - 1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(p99))
        .as(
            "the echo's p99 in ms, with %d spinners on %d carriers; all in ms: %s",
            spinners, CARRIERS, nanos.stream().map(TimeUnit.NANOSECONDS::toMillis).toList())
        .isLessThanOrEqualTo(2L * slice);
    progress.awaitEach(progress.least() + 2);
    assertThat(k.endings()).as("nobody killed").isEmpty();
  }

  @Test
  void spinnersInTheirStartFunctionsArePreemptedAndKilledPastCpuMs() throws Exception {
    var toml =
        new StringBuilder(
            """
            app = "start"
            [limits]
            cpu_slice_ms = 20
            cpu_ms = 300
            [program.echo]
            wasm = "echo.wasm"
            role = "service"
            exports = ["test.v1.Echo"]
            """);
    for (int i = 1; i <= CARRIERS + 1; i++) {
      toml.append(
          """
          [program.spin%d]
          wasm = "sched-start-spin.wasm"
          role = "main"
          """
              .formatted(i));
    }
    k.launch(toml.toString(), "echo", "sched-start-spin");
    assertThat(k.call("test.v1.Echo", 1, "alive").await()).isEqualTo("END alive");
    for (int i = 1; i <= CARRIERS + 1; i++) {
      assertThat(k.awaitEnding("spin" + i)).matches(CPU_KILL);
    }
  }

  @Test
  void aComputationLongerThanItsSliceEndsNormallyUnderTheDefaultLimits(@TempDir Path other)
      throws Exception {
    var clock = new ManualClock();
    try (var manual = new IsoKernel(other, clock)) {
      App app =
          manual.launch(
              """
              app = "long"
              [program.compute]
              wasm = "sched-spin.wasm"
              role = "main"
              args = ["n"]
              requires = ["%s"]
              """
                  .formatted(Probe.NAME),
              "sched-spin");
      assertThat(report(manual.probe, 3)).as("started computing").isZero();
      // A minute passes by the kernel's clock while the guest computes without a syscall.
      clock.advance(Duration.ofSeconds(60));
      report(manual.probe, 4);
      assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
      assertThat(manual.awaitEnding("compute")).isEqualTo("0");
    }
  }

  @Test
  void cpuMsKillsASpinnerWithinTenPercentOfItsBudgetAndNamesTheLimit() throws Exception {
    k.launch(
        """
        app = "cpu"
        [program.echo]
        wasm = "echo.wasm"
        role = "service"
        exports = ["test.v1.Echo"]
        [program.spinner]
        wasm = "iso-spin.wasm"
        role = "main"
        args = ["s"]
        limits = { cpu_ms = 400 }
        """,
        "echo",
        "iso-spin");

    var killed = CPU_KILL.matcher(k.awaitEnding("spinner"));
    assertThat(killed.matches()).isTrue();
    assertThat(Long.parseLong(killed.group(1))).isBetween(400L, 440L);
    assertThat(killed.group(2)).isEqualTo("400");
    assertThat(k.call("test.v1.Echo", 1, "alive").await()).isEqualTo("END alive");
  }

  @Test
  void timeTheProcessDidNotRunIsNotCpuTime(@TempDir Path other) throws Exception {
    // As if the OS or the garbage collector had stopped the process for a minute mid-turn.
    var jumps = new AtomicLong();
    Clock jumpy =
        new Clock() {
          @Override
          public long nanoTime() {
            return System.nanoTime() + jumps.get();
          }

          @Override
          public long threadCpuNanos() {
            return Clock.system().threadCpuNanos();
          }
        };
    try (var kernel = new IsoKernel(other, jumpy)) {
      kernel.launch(
          """
          app = "paused"
          [program.spinner]
          wasm = "sched-spin.wasm"
          role = "main"
          args = ["p"]
          requires = ["%s"]
          limits = { cpu_ms = 1500 }
          """
              .formatted(Probe.NAME),
          "sched-spin");
      kernel.probe.next();
      jumps.addAndGet(TimeUnit.SECONDS.toNanos(60));
      var killed = CPU_KILL.matcher(kernel.awaitEnding("spinner"));
      assertThat(killed.matches()).isTrue();
      assertThat(Long.parseLong(killed.group(1))).isBetween(1500L, 1650L);
    }
  }

  @Test
  void timeSpentWaitingIsNotCpuTime() throws Exception {
    App app =
        k.launch(
            """
            app = "waiter"
            [program.waiter]
            wasm = "sched-spin.wasm"
            role = "main"
            args = ["w"]
            requires = ["%s"]
            limits = { cpu_ms = 100 }
            """
                .formatted(Probe.NAME),
            "sched-spin");
    // 600 ms of waits, well past cpu_ms.
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
    assertThat(k.awaitEnding("waiter")).isEqualTo("0");
  }

  @Test
  void aSpinnerStartedAfterAnotherWasStoppedIsStoppedToo() throws Exception {
    // Stopping a process switches compiled guest code to checking at its polls, and its end
    // switches it back (see Preemption): the second spinner's loop runs, and is compiled, in
    // between or after, and must be stopped all the same.
    for (String name : new String[] {"first", "second"}) {
      k.launch(
          """
          app = "%s"
          [limits]
          cpu_ms = 100
          [program.%s]
          wasm = "iso-spin.wasm"
          role = "main"
          args = ["s"]
          """
              .formatted(name, name),
          "iso-spin");
      assertThat(k.awaitEnding(name)).matches(CPU_KILL);
    }
  }

  @Test
  void withTheSchedulerOffASpinningGuestIsNotKilledUntilTheKernelCloses(@TempDir Path other)
      throws Exception {
    var unguarded = new IsoKernel(other, false);
    App app =
        unguarded.launch(
            """
            app = "unguarded"
            [limits]
            cpu_ms = 100
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
    return report(k.probe, tag);
  }

  private static int report(Probe probe, int tag) throws InterruptedException {
    Probe.Report r = probe.next();
    assertThat(r.method()).as("report tag").isEqualTo(tag);
    return r.asInt();
  }

  /** The spinners' progress reports, by program. */
  private final class Progress {
    private final int spinners;
    private final Map<String, Integer> latest = new HashMap<>();

    Progress(int spinners) {
      this.spinners = spinners;
    }

    /** Reads reports until every spinner has reported at least {@code count}. */
    void awaitEach(int count) throws InterruptedException {
      while (latest.size() < spinners || least() < count) {
        Probe.Report r = k.probe.next();
        latest.merge(r.caller().program(), r.asInt(), Math::max);
      }
    }

    int least() {
      return latest.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }
  }
}
