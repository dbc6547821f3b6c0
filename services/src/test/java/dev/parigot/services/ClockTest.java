package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.services.proto.ClockProto.NowRequest;
import dev.parigot.services.proto.ClockProto.NowResponse;
import dev.parigot.services.proto.ClockProto.SleepRequest;
import dev.parigot.services.proto.ClockProto.SleepResponse;
import dev.parigot.services.proto.ClockProto.SleepUntilRequest;
import dev.parigot.services.proto.ClockProto.Tick;
import dev.parigot.services.proto.ClockProto.TimerRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClockTest {
  @TempDir Path dir;
  Services services;
  Client clock;
  FakeTime time;

  @BeforeEach
  void open() {
    services = new Services(dir);
    clock = services.clock();
    time = services.time;
  }

  @AfterEach
  void close() {
    services.close();
  }

  /** Waits until the call's handler has scheduled its timer task(s). */
  void awaitScheduled(int n) throws InterruptedException {
    for (int i = 0; i < 3000 && time.pending() < n; i++) {
      Thread.sleep(1);
    }
    assertThat(time.pending()).isEqualTo(n);
  }

  @Test
  void methodNumbersFollowDeclarationOrder() {
    assertThat(List.of("Now", "Sleep", "SleepUntil", "Timer"))
        .extracting(clock::method)
        .containsExactly(1, 2, 3, 4);
  }

  @Test
  void nowReadsBothClocks() {
    NowResponse now = clock.unary("Now", NowRequest.getDefaultInstance(), NowResponse.parser());
    assertThat(now.getUnixNanos()).isEqualTo(time.wallNanos());
    assertThat(now.getMonotonicNanos()).isEqualTo(time.nanos());
  }

  @Test
  void aSleepEndsOnceItsDurationHasPassed() throws Exception {
    var sleep = clock.call("Sleep", SleepRequest.newBuilder().setDurationMs(500).build());
    awaitScheduled(1);
    long start = time.nanos();
    time.advance(Duration.ofMillis(499));
    assertThat(sleep.answers).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(sleep.end(SleepResponse.parser()).getMonotonicNanos() - start)
        .isEqualTo(500_000_000L);
  }

  @Test
  void aCancelledSleepNeverEnds() throws Exception {
    var sleep = clock.call("Sleep", SleepRequest.newBuilder().setDurationMs(500).build());
    awaitScheduled(1);
    sleep.cancel();
    for (int i = 0; i < 3000 && time.pending() > 0; i++) {
      Thread.sleep(1);
    }
    assertThat(time.pending()).isZero();
    time.advance(Duration.ofSeconds(1));
    assertThat(sleep.answers).isEmpty();
  }

  @Test
  void sleepUntilAPastDeadlineEndsAtOnce() {
    clock.unary(
        "SleepUntil",
        SleepUntilRequest.newBuilder().setDeadlineUnixNanos(time.wallNanos() - 1).build(),
        SleepResponse.parser());
  }

  @Test
  void sleepUntilWaitsForTheWallDeadline() throws Exception {
    var sleep =
        clock.call(
            "SleepUntil",
            SleepUntilRequest.newBuilder()
                .setDeadlineUnixNanos(time.wallNanos() + 2_000_000_000L)
                .build());
    awaitScheduled(1);
    time.advance(Duration.ofSeconds(2));
    sleep.end(SleepResponse.parser());
  }

  @Test
  void aTimerTicksEveryPeriodThenEndsAfterItsCount() throws Exception {
    var timer = clock.call("Timer", TimerRequest.newBuilder().setPeriodMs(100).setCount(3).build());
    awaitScheduled(1);
    long start = time.nanos();
    time.advance(Duration.ofMillis(350));
    for (int seq = 1; seq <= 3; seq++) {
      Tick t = timer.partial(Tick.parser());
      assertThat(t.getSeq()).isEqualTo(seq);
      assertThat(t.getMonotonicNanos() - start).isEqualTo(seq * 100_000_000L);
    }
    timer.end(Tick.parser());
    assertThat(time.pending()).isZero();
  }

  @Test
  void aCancelledTimerStopsTicking() throws Exception {
    var timer = clock.call("Timer", TimerRequest.newBuilder().setPeriodMs(100).build());
    awaitScheduled(1);
    time.advance(Duration.ofMillis(100));
    timer.partial(Tick.parser());
    timer.cancel();
    for (int i = 0; i < 3000 && time.pending() > 0; i++) {
      Thread.sleep(1);
    }
    time.advance(Duration.ofSeconds(1));
    assertThat(timer.answers).isEmpty();
  }

  @Test
  void aNegativeSleepIsInvalid() {
    assertThat(
            clock
                .call("Sleep", SleepRequest.newBuilder().setDurationMs(-1).build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("duration_ms:");
  }

  @Test
  void aZeroTimerPeriodIsInvalid() {
    assertThat(clock.call("Timer", TimerRequest.getDefaultInstance()).error(Code.INVALID_ARGUMENT))
        .startsWith("period_ms:");
  }

  @Test
  void aDeadlineMoreThanAYearAheadIsInvalid() {
    assertThat(
            clock
                .call(
                    "SleepUntil",
                    SleepUntilRequest.newBuilder().setDeadlineUnixNanos(Long.MAX_VALUE).build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("deadline_unix_nanos:");
  }
}
