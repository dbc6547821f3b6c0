package dev.parigot.kernel.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Provider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest's {@code imports}: names served outside the app, by providers that come and go while
 * the kernel runs (README, "The manifest"; {@link dev.parigot.kernel.ServiceRegistry}).
 */
class ImportsTest {
  private static final String OUTSIDE = "outside.v1.Greeter";

  @TempDir Path dir;

  /** Answers every call with END "hello". */
  private static final Provider GREETER =
      (caller, method, request, replies) -> {
        replies.end("hello".getBytes(StandardCharsets.UTF_8));
        return reason -> {};
      };

  @Test
  void aProgramStartsOnceItsImportIsServedAndACallAfterTheProviderWentFailsAtOnce()
      throws Exception {
    var conf =
        Conf.app(dir)
            .program(
                "caller", "l " + OUTSIDE, "c $0 1 0 0", "d", "g " + Gate.NAME, "c $0 1 0 0", "d")
            .imports(OUTSIDE)
            .and();
    var kernel = new CompletableFuture<Kernel>();
    var gate = new CompletableFuture<Gate>();
    CompletableFuture<Conf.Running> launched =
        CompletableFuture.supplyAsync(() -> {
          try {
            return conf.launch(r -> {
              gate.complete(r.gate);
              kernel.complete(r.kernel());
            });
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    Kernel k = kernel.get(30, TimeUnit.SECONDS);
    try {
      assertImportedAndWithdrawn(k, launched, gate);
    } finally {
      k.close();
    }
  }

  private static void assertImportedAndWithdrawn(
      Kernel k, CompletableFuture<Conf.Running> launched, CompletableFuture<Gate> gate)
      throws Exception {
    assertThat(launched).as("launch waits for the import").isNotDone();
    assertThat(k.processes()).isEmpty();

    var registration = k.services().register(OUTSIDE, GREETER);
    try (var app = launched.get(30, TimeUnit.SECONDS)) {
      var caller = app.guest("caller");
      assertThat(caller.result(0)).as("locate").isPositive();
      int first = caller.result(1);
      var answer = caller.drained(2).getFirst();
      Conf.assertEvent(answer, EventKind.END, first, 0);
      assertThat(answer.payload()).isEqualTo("hello");

      gate.get().awaitArrivals(1);
      registration.close();
      gate.get().pass(1);
      caller.result(3);
      int second = caller.result(4);
      // No deadline (timeout 0): only an answer at once ends this call.
      var error = caller.drained(5).getFirst();
      Conf.assertEvent(error, EventKind.ERROR, second, Errno.NO_SUCH_SERVICE.negative());
      assertThat(error.payload()).isEqualTo("nothing serves " + OUTSIDE + " now");
    }
  }
}
