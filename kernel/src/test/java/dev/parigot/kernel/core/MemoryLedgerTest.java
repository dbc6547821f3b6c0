package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * RATIONALE.md, "How is the kernel's memory budgeted?": an admission fits every account from the
 * program's up to the kernel's or charges none, and what is released comes back to each of them.
 */
class MemoryLedgerTest {
  private final MemoryLedger ledger = new MemoryLedger(1000);
  private final MemoryLedger.Account app = ledger.kernel().child("app 'a'", 600, 3);
  private final MemoryLedger.Account program = app.child("program 'p' of app 'a'", 400, 2);
  private final MemoryLedger.Account sibling =
      app.child("program 'q' of app 'a'", MemoryLedger.UNLIMITED, 3);

  @Test
  void aReservationIsChargedToTheProgramItsAppAndTheKernel() {
    assertThat(program.reserve(300)).isTrue();

    assertThat(program.used()).isEqualTo(300);
    assertThat(app.used()).isEqualTo(300);
    assertThat(ledger.kernel().used()).isEqualTo(300);
    program.release(300);
    assertThat(ledger.kernel().used()).isZero();
    assertThat(app.used()).isZero();
  }

  @Test
  void aReservationPastAnyAccountIsRefusedAndChargesNone() {
    assertThat(program.reserve(401)).as("past the program's share").isFalse();
    assertThat(sibling.reserve(500)).isTrue();
    assertThat(program.reserve(101)).as("past the app's total").isFalse();
    var other = ledger.kernel().child("app 'b'", MemoryLedger.UNLIMITED, 10);
    assertThat(other.reserve(501)).as("past the kernel's budget").isFalse();

    assertThat(program.used()).isZero();
    assertThat(other.used()).isZero();
    assertThat(app.used()).isEqualTo(500);
    assertThat(ledger.kernel().used()).isEqualTo(500);
    assertThat(program.reserve(100)).as("exactly what is left of the app").isTrue();
    assertThat(other.reserve(400)).as("exactly what is left of the kernel").isTrue();
  }

  @Test
  void anAccountWithoutACapCountsNoBytesButTheAccountsAboveItDo() {
    assertThat(sibling.reserve(250)).isTrue();

    assertThat(sibling.used()).isZero();
    assertThat(app.used()).isEqualTo(250);
    assertThat(ledger.kernel().used()).isEqualTo(250);
    sibling.release(250);
    assertThat(ledger.kernel().used()).isZero();
  }

  @Test
  void refusalsNameTheAccountThatHasNoRoom() {
    assertThat(program.refusal(401))
        .isEqualTo("the memory budget of program 'p' of app 'a' (400 bytes)");
    assertThat(sibling.reserve(600)).isTrue();
    assertThat(program.refusal(1)).isEqualTo("the memory budget of app 'a' (600 bytes)");
    var big = new MemoryLedger(64L << 20);
    assertThat(big.kernel().refusal(65L << 20))
        .isEqualTo("the memory budget of the kernel (64 MiB)");
  }

  @Test
  void processesCountAgainstEveryAccountAndABytesRefusalUndoesTheCount() {
    assertThat(program.startProcess(100)).isTrue();
    assertThat(program.startProcess(100)).isTrue();
    assertThat(program.startProcess(100)).as("the program's max_processes").isFalse();
    assertThat(program.processRefusal())
        .isEqualTo("the 2 processes (max_processes) of program 'p' of app 'a'");
    assertThat(sibling.startProcess(100)).isTrue();
    assertThat(sibling.startProcess(100)).as("the app's max_processes").isFalse();
    program.endProcess(100);
    assertThat(sibling.startProcess(1000)).as("bytes past the app's total").isFalse();

    assertThat(app.processes()).isEqualTo(2);
    assertThat(ledger.kernel().processes()).isEqualTo(2);
    assertThat(app.used()).isEqualTo(200);
    assertThat(sibling.startProcess(100)).isTrue();
  }

  @Test
  void releasingMoreThanWasReservedIsABug() {
    assertThat(program.reserve(10)).isTrue();

    assertThatThrownBy(() -> program.release(11)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void concurrentAdmissionsNeverOvershootACapAndAllComeBack() throws Exception {
    var shared = new MemoryLedger(10_000).kernel().child("app 'c'", 2_000, 100);
    var admitted = new AtomicLong();
    var peak = new AtomicLong();
    var start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(
          Thread.ofPlatform()
              .start(() -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < 20_000; i++) {
                  if (shared.reserve(700)) {
                    admitted.incrementAndGet();
                    peak.accumulateAndGet(shared.used(), Math::max);
                    shared.release(700);
                  }
                }
              }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }

    // Eight threads of 700 bytes want 5,600; two fit.
    assertThat(admitted.get()).isPositive();
    assertThat(peak.get()).isLessThanOrEqualTo(2_000);
    assertThat(shared.used()).isZero();
  }
}
