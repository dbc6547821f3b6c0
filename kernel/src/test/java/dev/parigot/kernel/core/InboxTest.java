package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A waiting owner yields a few times, then parks; its yield budget shrinks while nobody answers
 * its waits soon and comes back with the first one answered.
 */
class InboxTest {
  private static final long ONE_MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Inbox inbox = new Inbox();

  @Test
  void aWaitReturnsAtOnceWhenAnEventIsQueued() {
    inbox.add(event());

    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> inbox.await(-1));

    assertThat(inbox.poll()).isNotNull();
    assertThat(inbox.yieldBudget()).isEqualTo(Inbox.MAX_YIELDS);
  }

  @Test
  void eachWaitNobodyAnswersHalvesTheBudgetDownToOne() {
    int expected = Inbox.MAX_YIELDS;
    for (int i = 0; i < 8; i++) {
      inbox.await(ONE_MS);
      expected = Math.max(1, expected / 2);
      assertThat(inbox.yieldBudget()).isEqualTo(expected);
    }
    assertThat(inbox.yieldBudget()).isEqualTo(1);
  }

  @Test
  void anAnsweredWaitRestoresTheWholeBudget() {
    inbox.await(ONE_MS);
    inbox.await(ONE_MS);
    assertThat(inbox.yieldBudget()).isLessThan(Inbox.MAX_YIELDS);

    inbox.add(event());
    inbox.await(-1);

    assertThat(inbox.yieldBudget()).isEqualTo(Inbox.MAX_YIELDS);
  }

  @Test
  void anEventAddedWhileTheOwnerWaitsWakesIt() throws InterruptedException {
    var woke = new CountDownLatch(1);
    Thread owner =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (inbox.poll() == null) {
                    inbox.await(-1);
                  }
                  woke.countDown();
                });
    Thread.sleep(Duration.ofMillis(50)); // long past the yields: the owner is parked
    inbox.add(event());

    assertThat(woke.await(10, TimeUnit.SECONDS)).isTrue();
    owner.join();
  }

  private static Event event() {
    return new Event(1, 0, new byte[0], "test");
  }
}
