package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.conformance.Probe;
import dev.parigot.kernel.spi.CallObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CallObserver}: every call is seen starting and ending, with its trace context. */
class CallObserverTest {
  private static final String FRONT = "conf.v1.Svc";
  private static final String BACK = "conf.v1.Back";
  private static final String ROOT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @TempDir Path dir;

  /** Records "program service method parent" at the start and "... -> code" at the end. */
  static final class Recorder implements CallObserver {
    final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private final AtomicInteger spans = new AtomicInteger();

    @Override
    public Call started(Caller caller, String service, int method, Optional<String> parent) {
      String own = service.equals(Probe.NAME) ? "probe" : "span" + spans.incrementAndGet();
      String call = caller.program() + " " + service + " " + method + " " + parent.orElse("-");
      if (!service.equals(Probe.NAME)) {
        seen.add("start " + call + " as " + own);
      }
      return new Call() {
        @Override
        public void ended(int code) {
          if (!service.equals(Probe.NAME)) {
            seen.add("end " + own + " " + code);
          }
        }

        @Override
        public Optional<String> traceparent() {
          return Optional.of(own);
        }
      };
    }

    String next() throws InterruptedException {
      String s = seen.poll(30, TimeUnit.SECONDS);
      assertThat(s).as("an observation within 30 s").isNotNull();
      return s;
    }
  }

  private App launch(Kernel kernel) throws Exception {
    Files.write(dir.resolve("conf-script.wasm"), TestApp.corpus("conf-script"));
    Path file = dir.resolve("app.toml");
    Files.writeString(
        file,
        """
        app = "obs"
        [program.back]
        wasm = "conf-script.wasm"
        role = "service"
        exports = ["%2$s"]
        requires = ["%3$s"]
        args = ["1", "e %2$s", "a"]

        [program.front]
        wasm = "conf-script.wasm"
        role = "service"
        exports = ["%1$s"]
        requires = ["%3$s", "%2$s"]
        args = ["2", "e %1$s", "l %2$s", "w 1 1024 -1", "c $1 1 0 0", "d"]
        """
            .formatted(FRONT, BACK, Probe.NAME));
    return kernel.launch(Manifest.load(file));
  }

  @Test
  void aNestedCallCarriesTheContextOfTheCallItsCallerServes() throws Exception {
    var recorder = new Recorder();
    try (Kernel kernel =
        Kernel.builder().service(Probe.NAME, new Probe()).observer(recorder).build()) {
      App app = launch(kernel);
      var answers = new AppCallTest.Answers();
      Provider.Cancellation outer =
          ScopedValue.where(CallObserver.TRACEPARENT, ROOT)
              .call(() -> app.call("http", FRONT, 3, new byte[0], answers));

      assertThat(recorder.next()).isEqualTo("start http " + FRONT + " 3 " + ROOT + " as span1");
      String nested = recorder.next();
      assertThat(nested).startsWith("start front " + BACK + " 1 span1 as span");
      String nestedSpan = nested.substring(nested.lastIndexOf(' ') + 1);
      assertThat(recorder.next()).isEqualTo("end " + nestedSpan + " 0");

      outer.cancel(Errno.TIMED_OUT);
      assertThat(recorder.next()).isEqualTo("end span1 " + Errno.TIMED_OUT.negative());
      assertThat(answers.got).isEmpty();
    }
  }

  @Test
  void aProcessShowsTheCallsItServedItsMemoryAndItsState() throws Exception {
    var recorder = new Recorder();
    try (Kernel kernel =
        Kernel.builder().service(Probe.NAME, new Probe()).observer(recorder).build()) {
      App app = launch(kernel);
      app.call("http", FRONT, 3, new byte[0], new AppCallTest.Answers());
      recorder.next();
      recorder.next();
      recorder.next(); // the nested call to back ended

      // back counts the call as served just after its reply is taken, on its own thread.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      ProcessInfo back = info(kernel, "back");
      while (back.callsServed() == 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        back = info(kernel, "back");
      }
      assertThat(back.callsServed()).isEqualTo(1);
      assertThat(back.errors()).isZero();
      assertThat(back.memoryBytes()).as("4 pages of linear memory").isEqualTo(4 * 65536);
      assertThat(back.state()).isIn("running", "waiting");
      ProcessInfo front = info(kernel, "front");
      assertThat(front.callsInFlight()).isEqualTo(1);
      assertThat(front.callsServed()).isZero();
    }
  }

  private static ProcessInfo info(Kernel kernel, String program) {
    return kernel.processes().stream()
        .filter(p -> p.program().equals(program))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void withoutAnObserverNoContextReachesAProvider() throws Exception {
    var contexts = new LinkedBlockingQueue<String>();
    Provider probe =
        (caller, method, request, replies) -> {
          contexts.add(
              CallObserver.TRACEPARENT.isBound() ? CallObserver.TRACEPARENT.get() : "none");
          replies.end(new byte[0]);
          return reason -> {};
        };
    try (Kernel kernel = Kernel.builder().service(Probe.NAME, probe).build()) {
      launch(kernel);
      assertThat(contexts.poll(30, TimeUnit.SECONDS)).isEqualTo("none");
    }
  }
}
