package dev.parigot.kernel.conformance;

import static dev.parigot.kernel.conformance.Conf.SVC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Replies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flow control through {@link Replies#isReady} and {@link Replies#onReady}: a provider streams at
 * its caller's pace and no thread waits for the caller meanwhile.
 */
class FlowControlTest {
  private static final int RESULTS = 10_000;
  // The caller's queue bound (docs/abi.md, "Limits"): 16 x max_message_bytes of 64.
  private static final long BOUND = 16 * 64;

  @TempDir Path dir;

  /**
   * A Java provider that sends {@code total} partial results and an END, each partial only while
   * the caller is ready; when it is not, it registers a callback that goes on on a new virtual
   * thread, and returns.
   */
  private static final class Streamer {
    private final Replies replies;
    private final LongSupplier queued;
    private final int total;
    final AtomicInteger waits = new AtomicInteger();
    final CountDownLatch firstWait = new CountDownLatch(1);
    final LongAccumulator peakQueued = new LongAccumulator(Math::max, 0);
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    volatile Thread current;
    // Touched by one step at a time: each thread starts after the one before registered.
    private int sent;

    Streamer(Replies replies, LongSupplier queued, int total) {
      this.replies = replies;
      this.queued = queued;
      this.total = total;
    }

    static byte[] result(int i) {
      return "%08d........".formatted(i).getBytes(StandardCharsets.US_ASCII);
    }

    void start() {
      Thread t = Thread.ofVirtual().name("streamer").unstarted(this::run);
      current = t;
      t.start();
    }

    /** Waits until no step runs: the last one registered a callback that has not run. */
    void awaitIdle() throws InterruptedException {
      Thread t;
      do {
        t = current;
        t.join();
      } while (current != t);
    }

    private void run() {
      while (sent < total) {
        if (!replies.isReady()) {
          waits.incrementAndGet();
          replies.onReady(this::start);
          firstWait.countDown();
          return;
        }
        if (!replies.partial(result(sent))) {
          done.complete(false);
          return;
        }
        sent++;
        peakQueued.accumulate(queued.getAsLong());
      }
      done.complete(replies.end(new byte[0]));
    }
  }

  @Test
  void aSlowReaderOfTenThousandResultsHoldsTheQueueBoundAndNoThreadWaitsForIt() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("caller", "l " + Hold.NAME, "c $0 1 0 0", "g " + Gate.NAME, "d")
            .limits("max_message_bytes = 64")
            .launch()) {
      var call = app.hold.next();
      var streamer =
          new Streamer(call.replies(), () -> app.process("caller").queuedBytes(), RESULTS);
      streamer.start();

      // The caller stands at the gate without reading: the streamer fills its queue to the
      // readiness mark, asks to be told, and its thread ends.
      app.gate.awaitArrivals(1);
      assertThat(streamer.firstWait.await(30, TimeUnit.SECONDS)).isTrue();
      streamer.awaitIdle();
      ThreadDump dump = ThreadDump.take(dir);
      assertThat(dump.in("Gate", "open")).as("virtual threads are in the dump").isNotEmpty();
      assertThat(dump.in("Streamer", "run")).isEmpty();
      for (String method : List.of("partial", "end", "fail", "isReady", "onReady")) {
        assertThat(dump.in("Channel", method)).as("threads in Channel.%s", method).isEmpty();
      }
      assertThat(app.process("caller").queuedBytes()).isLessThanOrEqualTo(BOUND);
      assertThat(streamer.done).isNotDone();

      app.gate.pass(1);
      var caller = app.guest("caller");
      caller.result(0);
      int channel = caller.result(1);
      caller.result(2);
      var events = caller.drained(3);
      assertThat(events).hasSize(RESULTS + 1);
      for (int i = 0; i < RESULTS; i++) {
        var e = events.get(i);
        assertThat(e.kind()).as("event %d", i).isEqualTo(EventKind.PARTIAL.value());
        assertThat(e.payload()).isEqualTo("%08d........".formatted(i));
      }
      Conf.assertEvent(events.getLast(), EventKind.END, channel, 0);
      assertThat(streamer.done.get(30, TimeUnit.SECONDS)).as("the END was taken").isTrue();
      assertThat(streamer.peakQueued.get()).isLessThanOrEqualTo(BOUND);
      assertThat(streamer.waits.get()).isPositive();
    }
  }

  @Test
  void aPendingCallbackRunsWhenTheCallEndsAndAFinishedCallIsReady() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("caller", "l " + Hold.NAME, "c $0 1 0 2000", "g " + Gate.NAME)
            .limits("max_message_bytes = 64")
            .launch()) {
      var call = app.hold.next();
      Replies replies = call.replies();
      app.gate.awaitArrivals(1);
      while (replies.isReady()) {
        assertThat(replies.partial(Streamer.result(0))).isTrue();
      }
      var ran = new CountDownLatch(1);
      replies.onReady(ran::countDown);
      assertThatThrownBy(() -> replies.onReady(() -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("has not run yet");

      // The caller never reads; its 2 s deadline ends the call, which runs the callback.
      assertThat(call.cancellation()).isEqualTo(Errno.TIMED_OUT);
      assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(replies.isReady()).isTrue();
      assertThat(replies.partial(Streamer.result(1))).as("dropped, not queued").isFalse();
      var now = new CountDownLatch(1);
      replies.onReady(now::countDown);
      assertThat(now.getCount()).as("run at once, on this thread").isZero();
    }
  }

  @Test
  void aGuestStreamingToAJavaCallerIsPacedByTheCallersReadiness() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("server", "e " + SVC, "w 1 4096 -1", "s $1 8")
            .exports(SVC)
            .launch()) {
      var caller = new PacingCaller(5);
      app.kernel()
          .services()
          .lookup(SVC)
          .orElseThrow()
          .open(new Caller("test", "java", 0), 1, new byte[0], caller);

      // The guest sends while the caller is ready, then waits in the kernel for its callback.
      assertThat(caller.asked.get(30, TimeUnit.SECONDS)).as("taken before it waited").isEqualTo(5);
      // The guest's thread registers the callback, then parks: dump once it has left onReady.
      ThreadDump dump = ThreadDump.take(dir);
      for (int i = 0; i < 300 && !dump.in("PacingCaller", "onReady").isEmpty(); i++) {
        Thread.sleep(10);
        dump = ThreadDump.take(dir);
      }
      assertThat(dump.in("IncomingCall", "awaitReady")).hasSize(1);
      for (String method : List.of("partial", "isReady", "onReady")) {
        assertThat(dump.in("PacingCaller", method)).isEmpty();
      }

      // Ready again: the guest goes on until the caller refuses a partial.
      caller.release();
      var server = app.guest("server");
      server.result(0);
      server.result(1);
      server.event(1);
      assertThat(server.result(2)).as("partials taken").isEqualTo(10);
      assertThat(server.result(2)).isEqualTo(Errno.CANCELLED.negative());
    }
  }

  /**
   * A caller from Java that is ready for {@code first} partials, then not until released, then
   * takes five more and refuses the rest.
   */
  private static final class PacingCaller implements Replies {
    private final int first;
    private final AtomicInteger taken = new AtomicInteger();
    private volatile boolean released;
    private volatile Runnable callback;

    /** How many partials it had taken when the callback was registered. */
    final CompletableFuture<Integer> asked = new CompletableFuture<>();

    PacingCaller(int first) {
      this.first = first;
    }

    @Override
    public boolean partial(byte[] data) {
      return taken.incrementAndGet() <= first + 5;
    }

    @Override
    public boolean isReady() {
      return released || taken.get() < first;
    }

    @Override
    public void onReady(Runnable r) {
      callback = r;
      asked.complete(taken.get());
    }

    void release() {
      released = true;
      callback.run();
    }

    @Override
    public boolean end(byte[] data) {
      return true;
    }

    @Override
    public boolean fail(int code, byte[] message) {
      return true;
    }
  }
}
