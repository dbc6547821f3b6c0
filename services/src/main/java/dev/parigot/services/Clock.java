package dev.parigot.services;

import dev.parigot.services.proto.ClockProto;
import dev.parigot.services.proto.ClockProto.NowRequest;
import dev.parigot.services.proto.ClockProto.NowResponse;
import dev.parigot.services.proto.ClockProto.SleepRequest;
import dev.parigot.services.proto.ClockProto.SleepResponse;
import dev.parigot.services.proto.ClockProto.SleepUntilRequest;
import dev.parigot.services.proto.ClockProto.Tick;
import dev.parigot.services.proto.ClockProto.TimerRequest;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * parigot.clock.v1.Clock: time, sleeps and timers on the {@link Time} seam. See clock.proto for the
 * contract. Sleeps and timers hold no thread while they wait: they are timer tasks.
 */
final class Clock {
  static final long MAX_MS = 365L * 24 * 3600 * 1000;
  private static final long MS = 1_000_000L;

  private final Time time;

  Clock(Time time) {
    this.time = time;
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(ClockProto.getDescriptor().findServiceByName("Clock"), threads)
        .on("Now", NowRequest.getDefaultInstance(), this::now)
        .on("Sleep", SleepRequest.getDefaultInstance(), this::sleep)
        .on("SleepUntil", SleepUntilRequest.getDefaultInstance(), this::sleepUntil)
        .on("Timer", TimerRequest.getDefaultInstance(), this::timer)
        .build();
  }

  private NowResponse now(Call call, NowRequest r) {
    return NowResponse.newBuilder()
        .setUnixNanos(time.wallNanos())
        .setMonotonicNanos(time.nanos())
        .build();
  }

  private SleepResponse sleep(Call call, SleepRequest r) {
    long ms = Check.range("duration_ms", r.getDurationMs(), 0, MAX_MS);
    return sleepFor(call, ms * MS);
  }

  private SleepResponse sleepUntil(Call call, SleepUntilRequest r) {
    long left = r.getDeadlineUnixNanos() - time.wallNanos();
    if (left > MAX_MS * MS) {
      throw Failure.invalid(
          "deadline_unix_nanos: " + r.getDeadlineUnixNanos() + " is more than a year ahead");
    }
    return sleepFor(call, left);
  }

  private SleepResponse sleepFor(Call call, long nanos) {
    if (nanos <= 0) {
      return SleepResponse.newBuilder().setMonotonicNanos(time.nanos()).build();
    }
    Time.Scheduled wake =
        time.schedule(
            nanos,
            () -> call.end(SleepResponse.newBuilder().setMonotonicNanos(time.nanos()).build()));
    call.onCancel(wake::cancel);
    return null;
  }

  private Tick timer(Call call, TimerRequest r) {
    long period = Check.range("period_ms", r.getPeriodMs(), 1, MAX_MS) * MS;
    long count = Check.range("count", r.getCount(), 0, Long.MAX_VALUE);
    long start = time.nanos();
    var next = new AtomicReference<Time.Scheduled>();
    // Fixed rate: tick n is due at start + n * period, however late tick n - 1 ran.
    Runnable[] tick = new Runnable[1];
    long[] seq = {0};
    tick[0] =
        () -> {
          long n = ++seq[0];
          boolean sent =
              call.partial(
                  Tick.newBuilder()
                      .setSeq(n)
                      .setMonotonicNanos(time.nanos())
                      .setUnixNanos(time.wallNanos())
                      .build());
          if (!sent) {
            return;
          }
          if (count > 0 && n >= count) {
            call.end(Tick.getDefaultInstance());
            return;
          }
          next.set(time.schedule(start + (n + 1) * period - time.nanos(), tick[0]));
          if (call.cancelled()) {
            next.get().cancel();
          }
        };
    next.set(time.schedule(period, tick[0]));
    call.onCancel(() -> next.get().cancel());
    return null;
  }
}
