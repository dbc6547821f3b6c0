package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Abi;
import dev.parigot.kernel.conformance.Probe;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/abi.md, "spawn", "send", the EXIT event and "Death": what a worker is, how it is started,
 * how it talks to its parent, and how it ends. Each test runs one {@code iso-worker} parent in the
 * mode its source describes and reads the tagged reports of the parent and its workers.
 */
class WorkerTest {
  private static final int HELL = 0x6c6c6568; // "hell", little endian

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
  void spawnRefusesEntriesThatAreNotExportedNullaryFunctionsBadNamesAndBigArguments()
      throws Exception {
    parent("a", "max_message_bytes = 1024");

    assertThat(reports(8))
        .containsEntry(1, -2) // "missing": not exported
        .containsEntry(2, -2) // "typed": exported, but (i32) -> i32
        .containsEntry(3, -2) // "memory": an exported memory
        .containsEntry(4, -8) // "1bad": not a name
        .containsEntry(5, -8) // the empty name
        .containsEntry(6, -8) // 256 letters: longer than MAX_NAME_LEN
        .containsEntry(7, -6) // an argument of max_message_bytes + 1
        .hasEntrySatisfying(8, h -> assertThat(h).as("argument of max_message_bytes").isPositive());
    assertThat(k.awaitEnding("parent")).isEqualTo("0");
  }

  @Test
  void maxWorkersBoundsLiveWorkersAndASlotFreesOnceTheExitIsReadOrTheWorkerIsCancelled()
      throws Exception {
    parent("l", "max_workers = 2");

    assertThat(reports(9))
        .containsEntry(1, 1)
        .containsEntry(2, 1)
        .containsEntry(3, -7) // a third live worker
        .containsEntry(4, 0) // "q" ends the first
        .containsEntry(5, 1) // its EXIT, on its handle
        .containsEntry(6, 0) // returning from the entry is exit code 0
        .hasEntrySatisfying(7, h -> assertThat(h).as("spawn after the EXIT").isPositive())
        .containsEntry(8, 0) // cancel the second worker
        .hasEntrySatisfying(9, h -> assertThat(h).as("spawn right after cancel").isPositive());
    assertThat(k.awaitEnding("parent")).isEqualTo("0");
  }

  @Test
  void aWorkerStartsWithItsArgumentTalksBothWaysHasItsOwnMemoryAndEndsWithAnExit()
      throws Exception {
    parent("e", "", "iso.v1.Worker");

    Map<Integer, Integer> r = reports(16);
    // The worker: its first event is a MESSAGE with the argument, on its parent link (handle 1).
    assertThat(r)
        .containsEntry(101, 6)
        .containsEntry(102, 1)
        .containsEntry(103, 5)
        .containsEntry(104, HELL)
        .as("a fresh instance: the parent's write before spawn is not in the worker's memory")
        .containsEntry(105, 0)
        .as("a worker cannot export, even a name its program exports")
        .containsEntry(106, -1)
        .containsEntry(107, 0);
    // The parent: the worker's message, its own memory untouched, and the worker's exit code.
    assertThat(r)
        .containsEntry(1, 1)
        .containsEntry(2, 1)
        .containsEntry(3, HELL)
        .containsEntry(4, 5)
        .as("the worker's write is not in the parent's memory")
        .containsEntry(5, 0x1234)
        .containsEntry(6, 0)
        .containsEntry(7, 1)
        .containsEntry(8, 7)
        .as("send on a link whose EXIT was read")
        .containsEntry(9, -9);
    assertThat(k.awaitEnding("parent/echo")).isEqualTo("7");
  }

  @Test
  void aTrappingWorkerDiesAloneAndItsParentGetsExitProviderDied() throws Exception {
    parent("t", "");

    assertThat(reports(3))
        .containsEntry(1, 1)
        .containsEntry(2, -5)
        .as("EXIT's service field says the kernel killed it")
        .containsEntry(3, Abi.EXIT_KILLED);
    assertThat(k.awaitEnding("parent/crash"))
        .startsWith("70 trap: ")
        .contains("unreachable")
        .contains("wasm stack: ");
    assertThat(k.awaitEnding("parent")).isEqualTo("0");
  }

  @Test
  void aWorkerThatExitsWithMinusProviderDiedIsToldApartFromAKilledOneByTheExitServiceField()
      throws Exception {
    parent("n", "");

    assertThat(reports(3))
        .containsEntry(1, 1)
        .as("the code it chose, the number of -PROVIDER_DIED")
        .containsEntry(2, -5)
        .as("EXIT's service field: it ended itself")
        .containsEntry(3, 0);
    assertThat(k.awaitEnding("parent/neg")).isEqualTo("-5");
    assertThat(k.awaitEnding("parent")).isEqualTo("0");
  }

  @Test
  void cancelOnAWorkerLinkKillsTheWorkerAndNoExitFollows() throws Exception {
    parent("c", "", "iso.v1.Parent");

    assertThat(reports(2)).as("cancel, then cancel again").containsEntry(1, 0).containsEntry(2, -9);
    assertThat(k.awaitEnding("parent/hold")).matches("70 stopped by its parent parent\\[\\d+\\]");
    // The worker is gone; the parent's next event is this call, not an EXIT.
    assertThat(k.call("iso.v1.Parent", 0, "").await()).isEqualTo("END ");
    assertThat(reports(1)).containsEntry(3, 4);
    assertThat(k.awaitEnding("parent")).isEqualTo("0");
  }

  @Test
  void workersDieWithTheirParent() throws Exception {
    parent("d", "");

    assertThat(k.awaitEnding("parent")).isEqualTo("3");
    assertThat(k.awaitEnding("parent/hold")).matches("70 its parent parent\\[\\d+\\] ended");
  }

  @Test
  void sendToAWorkerThatEndedIsProviderDiedUntilTheExitIsRead() throws Exception {
    parent("x", "");

    assertThat(reports(4))
        .containsEntry(1, -5)
        .containsEntry(2, 1)
        .containsEntry(3, 0)
        .containsEntry(4, -9);
    assertThat(k.awaitEnding("parent")).isEqualTo("0");
  }

  /** Launches the parent in {@code mode}, exporting {@code export} if given. */
  private void parent(String mode, String limits, String... export) {
    boolean serves = export.length > 0;
    k.launch(
        """
        app = "workers"
        [program.parent]
        wasm = "iso-worker.wasm"
        role = "%s"
        requires = ["%s"]
        exports = [%s]
        args = ["%s"%s]
        limits = { %s }
        """
            .formatted(
                serves ? "service" : "main",
                Probe.NAME,
                serves ? "\"" + export[0] + "\"" : "",
                mode,
                serves ? ", \"" + export[0] + "\"" : "",
                limits),
        "iso-worker");
  }

  /** The next {@code n} reports, by tag; a tag reported twice fails the test. */
  private Map<Integer, Integer> reports(int n) throws InterruptedException {
    Map<Integer, Integer> byTag = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      Probe.Report r = k.probe.next();
      assertThat(byTag.put(r.method(), r.asInt())).as("tag %d reported twice", r.method()).isNull();
    }
    return byTag;
  }
}
