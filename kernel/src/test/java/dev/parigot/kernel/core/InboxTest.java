package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A waiting owner yields a few times, then parks; its yield budget shrinks while nobody answers its
 * waits soon and comes back with the first one answered.
 */
class InboxTest {
  private static final long ONE_MS = TimeUnit.MILLISECONDS.toNanos(1);

  // 800 bytes: three events of 100 bytes and their overheads (228 each), not four.
  private final MemoryLedger ledger = new MemoryLedger(800);
  private final Inbox inbox = new Inbox(ledger.kernel());

  @Test
  void aWaitReturnsAtOnceWhenAnEventIsQueued() {
    inbox.add(event());

    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> inbox.await(-1, true));

    assertThat(inbox.poll()).isNotNull();
    assertThat(inbox.yieldBudget()).isEqualTo(Inbox.MAX_YIELDS);
  }

  @Test
  void eachWaitNobodyAnswersHalvesTheBudgetDownToOne() {
    int expected = Inbox.MAX_YIELDS;
    for (int i = 0; i < 8; i++) {
      inbox.await(ONE_MS, true);
      expected = Math.max(1, expected / 2);
      assertThat(inbox.yieldBudget()).isEqualTo(expected);
    }
    assertThat(inbox.yieldBudget()).isEqualTo(1);
  }

  @Test
  void anAnsweredWaitRestoresTheWholeBudget() {
    inbox.await(ONE_MS, true);
    inbox.await(ONE_MS, true);
    assertThat(inbox.yieldBudget()).isLessThan(Inbox.MAX_YIELDS);

    inbox.add(event());
    inbox.await(-1, true);

    assertThat(inbox.yieldBudget()).isEqualTo(Inbox.MAX_YIELDS);
  }

  @Test
  void anEventAddedWhileTheOwnerWaitsWakesIt() throws InterruptedException {
    var woke = new CountDownLatch(1);
    Thread owner =
        Thread.ofVirtual()
            .start(() -> {
              while (inbox.poll() == null) {
                inbox.await(-1, true);
              }
              woke.countDown();
            });
    Thread.sleep(Duration.ofMillis(50)); // long past the yields: the owner is parked
    inbox.add(event());

    assertThat(woke.await(10, TimeUnit.SECONDS)).isTrue();
    owner.join();
  }

  @Test
  void aRoomWaiterRunsAtOnceWhenTheQueueIsAtItsMark() {
    var ran = new AtomicInteger();
    inbox.add(event(100)); // costs 132 bytes with its record

    inbox.awaitRoom(ran::incrementAndGet, 132);

    assertThat(ran).hasValue(1);
  }

  @Test
  void aRoomWaiterRunsOnceWhenTheOwnerReadsTheQueueDownToItsMark() {
    var ran = new AtomicInteger();
    Event first = event(100);
    Event second = event(100);
    Event third = event(100);
    assertThat(inbox.offer(first, Long.MAX_VALUE)).isTrue();
    assertThat(inbox.offer(second, Long.MAX_VALUE)).isTrue();
    assertThat(inbox.offer(third, Long.MAX_VALUE)).isTrue();
    inbox.awaitRoom(ran::incrementAndGet, 132);
    assertThat(ran).as("396 bytes queued").hasValue(0);

    inbox.consumed(inbox.poll());
    assertThat(ran).as("264 bytes queued").hasValue(0);
    inbox.consumed(inbox.poll());
    assertThat(ran).as("132 bytes queued").hasValue(1);
    inbox.consumed(inbox.poll());
    assertThat(ran).as("run once only").hasValue(1);
  }

  @Test
  void anEventTheAccountCannotHoldIsRefusedAndChargesNothing() {
    for (int i = 0; i < 3; i++) {
      assertThat(inbox.offer(event(100), Long.MAX_VALUE)).as("event %d", i).isTrue();
    }
    assertThat(ledger.kernel().used()).isEqualTo(3 * (100 + MemoryLedger.EVENT_BYTES));

    assertThat(inbox.offer(event(100), Long.MAX_VALUE)).isFalse();
    assertThat(ledger.kernel().used()).isEqualTo(3 * (100 + MemoryLedger.EVENT_BYTES));
    assertThat(inbox.queuedBytes()).as("the bound's count").isEqualTo(3 * 132);

    inbox.consumed(inbox.poll());
    assertThat(ledger.kernel().used()).isEqualTo(2 * (100 + MemoryLedger.EVENT_BYTES));
  }

  @Test
  void aFinalEventIsChargedItsPayloadOnlySinceItsOverheadWasChargedWithItsHandle() {
    assertThat(ledger.kernel().reserve(MemoryLedger.EVENT_BYTES)).isTrue();

    assertThat(inbox.offerFinal(event(100), Long.MAX_VALUE)).isTrue();
    assertThat(ledger.kernel().used()).isEqualTo(100 + MemoryLedger.EVENT_BYTES);
    assertThat(inbox.offerFinal(event(600), Long.MAX_VALUE)).as("past the account").isFalse();
    assertThat(inbox.offerFinal(event(0), 100)).as("past the queue bound").isFalse();

    inbox.consumed(inbox.poll());
    assertThat(ledger.kernel().used()).isZero();
  }

  @Test
  void closingGivesBackWhatIsQueuedAndWhatComesAfter() {
    assertThat(inbox.offer(event(100), Long.MAX_VALUE)).isTrue();
    assertThat(inbox.offer(event(50), Long.MAX_VALUE)).isTrue();

    inbox.close();
    assertThat(ledger.kernel().used()).isZero();
    assertThat(inbox.offer(event(10), Long.MAX_VALUE)).isTrue();

    assertThat(ledger.kernel().used()).isZero();
    assertThat(inbox.poll()).isNull();
    assertThat(inbox.queuedBytes()).isZero();
  }

  private static Event event() {
    return event(0);
  }

  private static Event event(int payload) {
    return new Event(1, 0, new byte[payload], "test");
  }
}
