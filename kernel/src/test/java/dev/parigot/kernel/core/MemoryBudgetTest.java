package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.abi.Errno;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.conformance.Probe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, findings 1, 2 and 5: guests that try to make the kernel hold more than its memory
 * budget (RATIONALE.md, "How is the kernel's memory budgeted?") are refused with the errnos of
 * docs/abi.md, while a bystander service still answers and the kernel's own threads live on; once
 * their processes end, the ledger is back to zero. The attack guest is {@code attack.wat}.
 */
class MemoryBudgetTest {
  private static final String BYSTANDER =
      """
      [program.echo]
      wasm = "echo.wasm"
      role = "service"
      exports = ["test.v1.Echo"]
      """;
  private static final int FLOODERS = 8;
  private static final int CALLS = 32;
  private static final int PAYLOAD = 65504;

  @TempDir Path dir;
  private final Turnstile gate = new Turnstile();
  private IsoKernel k;
  private Set<Thread> guards;

  @AfterEach
  void close() {
    if (k != null) {
      k.close();
    }
  }

  @Test
  void endResultsCountAgainstTheCallersQueueBoundSoEightFloodingWorkersHoldSixteenEach()
      throws Exception {
    kernel(b -> {});
    App app =
        k.launch(
            ("""
            app = "flood"
            [program.big]
            wasm = "attack.wasm"
            role = "service"
            exports = ["attack.v1.Big"]
            args = ["r"]
            requires = ["%s"]
            limits = { max_message_bytes = 1048576 }
            [program.flood]
            wasm = "attack.wasm"
            role = "main"
            args = ["f"]
            requires = ["attack.v1.Big", "%s", "%s"]
            limits = { max_message_bytes = 65536 }
            """
                    .formatted(Probe.NAME, Turnstile.NAME, Probe.NAME))
                + BYSTANDER,
            "echo",
            "attack");

    gate.awaitArrivals(FLOODERS);
    // The replier reports each reply: once all are in, the flooders' queues are as full as the
    // bound lets them be. The 17th result onwards did not fit, so its reply was CANCELLED.
    var replies = new ArrayList<Integer>();
    for (int i = 0; i < FLOODERS * CALLS; i++) {
      Probe.Report r = k.probe.next();
      assertThat(r.method()).isEqualTo(12);
      replies.add(r.asInt());
    }
    assertThat(replies.stream().filter(r -> r == 0)).hasSize(FLOODERS * 16);
    assertThat(replies.stream().filter(r -> r == Errno.CANCELLED.negative()))
        .hasSize(FLOODERS * 16);
    for (Process p : k.kernel.live()) {
      if (p.program().name().equals("flood")) {
        // 16 x 65536 bytes of results, and the ERROR records of the refused ones.
        assertThat(p.queuedBytes()).as("%s", p).isLessThanOrEqualTo(16 * 65536 + CALLS * 32);
      }
    }
    assertBystanderAndGuardsAlive();
    gate.pass(FLOODERS);

    // Each call whose result did not fit failed with WOULD_EXCEED_LIMIT.
    assertThat(flooderReports().values())
        .hasSize(FLOODERS)
        .allSatisfy(r -> assertThat(r).isEqualTo(Map.of(1, 16, 2, 16, 3, 0)));
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
    assertLedgerEmptiesWhenAllEnd();
  }

  @Test
  void resultsTheProgramsBudgetCannotHoldFailTheirCallsAndTellTheProvider() throws Exception {
    kernel(b -> {});
    var big = new HeldCalls();
    k.kernel.services().register("attack.v1.Big", big);
    App app =
        k.launch(
            ("""
            app = "flood"
            [program.flood]
            wasm = "attack.wasm"
            role = "main"
            args = ["f"]
            requires = ["attack.v1.Big", "%s", "%s"]
            imports = ["attack.v1.Big"]
            limits = { max_message_bytes = 65536, budget_mib = 6 }
            """
                    .formatted(Turnstile.NAME, Probe.NAME))
                + BYSTANDER,
            "echo",
            "attack");
    gate.awaitArrivals(FLOODERS);
    assertThat(big.calls).hasSize(FLOODERS * CALLS);

    int refused = big.answerAll(PAYLOAD);

    // Nine processes of 208 KiB (their memory and fixed cost) leave the 6 MiB share room for
    // about 67 results, fewer than the 8 x 16 the queue bounds alone would take.
    int admitted = FLOODERS * CALLS - refused;
    assertThat(admitted).isPositive().isLessThan(FLOODERS * 16);
    assertThat(big.cancellations).hasSize(refused).containsOnly(Errno.WOULD_EXCEED_LIMIT);
    assertBystanderAndGuardsAlive();
    gate.pass(FLOODERS);
    Map<Long, Map<Integer, Integer>> reports = flooderReports();
    assertThat(reports.values())
        .allSatisfy(r -> {
          assertThat(r.get(1) + r.get(2)).isEqualTo(CALLS);
          assertThat(r.get(3)).as("other final events").isZero();
        });
    assertThat(reports.values().stream().mapToInt(r -> r.get(1)).sum()).isEqualTo(admitted);
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
    assertLedgerEmptiesWhenAllEnd();
  }

  @Test
  void workersOfWorkersCountAgainstTheProgramsMaxProcessesSoNoTreeOutgrowsIt() throws Exception {
    kernel(b -> {});
    k.launch(
        ("""
        app = "bomb"
        [program.bomb]
        wasm = "attack.wasm"
        role = "main"
        args = ["b"]
        requires = ["%s"]
        limits = { max_processes = 40 }
        """
                .formatted(Probe.NAME))
            + BYSTANDER,
        "echo",
        "attack");

    // Every process of the tree reports how many it spawned and why it stopped.
    Map<Long, Map<Integer, Integer>> reports = reports(40, 2);
    assertThat(reports.values().stream().mapToInt(r -> r.get(4)).sum()).isEqualTo(39);
    assertThat(reports.values())
        .allSatisfy(r ->
            assertThat(r.get(5))
                .as("a refusal, unless it spawned max_workers")
                .isEqualTo(r.get(4) == 16 ? 0 : Errno.WOULD_EXCEED_LIMIT.negative()));
    assertThat(k.kernel.ledger().kernel().processes())
        .as("the tree and the bystander")
        .isEqualTo(41);
    assertBystanderAndGuardsAlive();
    assertLedgerEmptiesWhenAllEnd();
  }

  @Test
  void tablesAndMemoryCountAgainstTheProgramsBudget() throws Exception {
    kernel(b -> {});
    App app =
        k.launch(
            ("""
            app = "tables"
            [limits]
            budget_mib = 4
            [program.big]
            wasm = "attack-table-big.wasm"
            role = "main"
            [program.tables]
            wasm = "attack.wasm"
            role = "main"
            args = ["g"]
            requires = ["%s"]
            [program.memory]
            wasm = "attack.wasm"
            role = "main"
            args = ["m"]
            requires = ["%s"]
            """
                    .formatted(Probe.NAME, Probe.NAME))
                + BYSTANDER,
            "echo",
            "attack",
            "attack-table-big");

    assertThat(k.awaitEnding("big"))
        .startsWith("70 ")
        .contains(
            "a table of 400000 entries does not fit the memory budget of program 'big' of app"
                + " 'tables' (4 MiB); the process cannot start");
    Map<Long, Map<Integer, Integer>> reports = reports(2, 3);
    assertThat(reports.values())
        .containsExactlyInAnyOrder(
            // table.grow of 6 MB is refused, of 1.2 MB admitted.
            Map.of(6, -1, 7, 1, 8, 100_001),
            // memory.grow of 6.4 MB is refused, of 13 pages admitted.
            Map.of(9, -1, 10, 3, 11, 16));
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(137);
    assertBystanderAndGuardsAlive();
    assertLedgerEmptiesWhenAllEnd();
  }

  @Test
  void theKernelsBudgetBoundsAnAppWithoutSharesOfItsOwn() throws Exception {
    kernel(b -> b.memoryBudget(4 << 20));
    App app =
        k.launch(
            ("""
            app = "greedy"
            [program.memory]
            wasm = "attack.wasm"
            role = "main"
            args = ["m"]
            requires = ["%s"]
            """
                    .formatted(Probe.NAME))
                + BYSTANDER,
            "echo",
            "attack");

    assertThat(reports(1, 3).values()).containsExactly(Map.of(9, -1, 10, 3, 11, 16));
    assertThat(app.awaitMains(Duration.ofSeconds(IsoKernel.WAIT_SECONDS))).contains(0);
    assertBystanderAndGuardsAlive();
    assertLedgerEmptiesWhenAllEnd();
  }

  @Test
  void aProgramWhoseProcessesDoNotFitTheKernelsBudgetFailsToLaunchAndLeavesNothingCharged()
      throws Exception {
    // Two replicas of echo, 144 KiB each with their memory, leave less than a process's cost.
    kernel(b -> b.memoryBudget(300 << 10));

    assertThatThrownBy(() ->
            k.launch(
                """
                app = "big"
                [program.echo]
                wasm = "echo.wasm"
                role = "service"
                exports = ["test.v1.Echo"]
                replicas = 2
                [program.user]
                wasm = "attack.wasm"
                role = "main"
                args = ["m"]
                requires = ["test.v1.Echo"]
                """,
                "echo",
                "attack"))
        .isInstanceOf(ParigotException.class)
        .hasMessage(
            "program 'user' of app 'big' cannot start: no room in the memory budget of the kernel"
                + " (307200 bytes)");
    assertLedgerEmptiesWhenAllEnd();
    assertThat(guards).allMatch(Thread::isAlive);
  }

  // ---- helpers ----

  /** A kernel with the Probe and the gate, and what {@code configure} adds. */
  private void kernel(Consumer<Kernel.Builder> configure) {
    Set<Thread> before = guardThreads();
    k =
        new IsoKernel(
            dir,
            b -> {
              b.service(Turnstile.NAME, gate);
              configure.accept(b);
            });
    guards = new HashSet<>(guardThreads());
    guards.removeAll(before);
    assertThat(guards).as("this kernel's deadline and scheduler threads").hasSize(2);
  }

  private static Set<Thread> guardThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t -> t.getName().equals("parigot-deadlines") || t.getName().equals("parigot-scheduler"))
        .collect(Collectors.toSet());
  }

  private void assertBystanderAndGuardsAlive() throws InterruptedException {
    assertThat(k.call("test.v1.Echo", 1, "alive").await()).isEqualTo("END alive");
    assertThat(guards).allMatch(Thread::isAlive);
  }

  /** Kills what still runs, waits for every process to end, and checks the ledger is empty. */
  private void assertLedgerEmptiesWhenAllEnd() throws Exception {
    List<Process> live = k.kernel.live();
    live.forEach(p -> p.kill("the test is over"));
    for (Process p : live) {
      try {
        p.exit().get(IsoKernel.WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        throw new AssertionError(p + " did not end", e);
      }
    }
    assertThat(k.kernel.live()).isEmpty();
    assertThat(k.kernel.ledger().kernel().used()).as("bytes charged").isZero();
    assertThat(k.kernel.ledger().kernel().processes()).as("processes counted").isZero();
  }

  /** The flooders' reports: per worker, tag 1 ENDs, 2 ERRORs -7, 3 other final events. */
  private Map<Long, Map<Integer, Integer>> flooderReports() throws InterruptedException {
    return reports(FLOODERS, 3);
  }

  /** Reads {@code tags} reports from each of {@code processes} processes, by pid then tag. */
  private Map<Long, Map<Integer, Integer>> reports(int processes, int tags)
      throws InterruptedException {
    Map<Long, Map<Integer, Integer>> byPid = new TreeMap<>();
    for (int i = 0; i < processes * tags; i++) {
      Probe.Report r = k.probe.next();
      byPid.computeIfAbsent(r.caller().pid(), pid -> new TreeMap<>()).put(r.method(), r.asInt());
    }
    assertThat(byPid).hasSize(processes);
    return byPid;
  }

  /**
   * A Java service that holds its callers inside the kernel: a call blocks in {@code open} until
   * the test lets it through, then ends with an empty END. A guest stops there without reading its
   * events.
   */
  private static final class Turnstile implements Provider {
    static final String NAME = "parigot.test.v1.Gate";

    private final Semaphore arrived = new Semaphore(0);
    private final Semaphore passes = new Semaphore(0);

    @Override
    public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
      arrived.release();
      try {
        passes.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      replies.end(new byte[0]);
      return reason -> {};
    }

    void awaitArrivals(int n) throws InterruptedException {
      if (!arrived.tryAcquire(n, IsoKernel.WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError(n + " callers did not reach the turnstile");
      }
    }

    void pass(int n) {
      passes.release(n);
    }
  }

  /** A Java service that answers nothing until the test answers every call it holds. */
  private static final class HeldCalls implements Provider {
    final List<Replies> calls = new CopyOnWriteArrayList<>();
    final List<Errno> cancellations = new CopyOnWriteArrayList<>();

    @Override
    public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
      calls.add(replies);
      return cancellations::add;
    }

    /** Ends every call with {@code size} bytes; how many the callers refused. */
    int answerAll(int size) {
      List<Replies> refused = new ArrayList<>();
      for (Replies r : calls) {
        if (!r.end(new byte[size])) {
          refused.add(r);
        }
      }
      return refused.size();
    }
  }
}
