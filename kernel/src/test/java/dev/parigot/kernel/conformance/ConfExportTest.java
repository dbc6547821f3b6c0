package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.ALREADY_EXPORTED;
import static dev.parigot.abi.Errno.BAD_ARGUMENT;
import static dev.parigot.abi.Errno.NOT_PERMITTED;
import static dev.parigot.kernel.conformance.Conf.SVC;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "export": serving a name the manifest lists under exports. */
class ConfExportTest {
  @TempDir Path dir;

  @Test
  void aNameNotUnderExportsIsNotPermittedAndCountsAsADenial() throws Exception {
    try (var app =
        Conf.app(dir).program("server", "e conf.v1.Other", "e " + SVC).exports(SVC).launch()) {
      var server = app.guest("server");
      assertThat(server.result(0)).isEqualTo(NOT_PERMITTED.negative());
      assertThat(server.result(1)).isPositive();
      assertThat(app.process("server").denials()).isEqualTo(1);
    }
  }

  @Test
  void exportingANameTwiceIsAlreadyExported() throws Exception {
    try (var app = Conf.app(dir).program("server", "e " + SVC, "e " + SVC).exports(SVC).launch()) {
      var server = app.guest("server");
      assertThat(server.result(0)).isPositive();
      assertThat(server.result(1)).isEqualTo(ALREADY_EXPORTED.negative());
    }
  }

  @Test
  void aMalformedNameIsABadArgument() throws Exception {
    try (var app =
        Conf.app(dir).program("server", "e ", "e 9lives", "e " + SVC).exports(SVC).launch()) {
      var server = app.guest("server");
      assertThat(server.result(0)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(server.result(1)).isEqualTo(BAD_ARGUMENT.negative());
      assertThat(server.result(2)).isPositive();
    }
  }

  @Test
  void aProgramThatRequiresANameStartsOnlyAfterItsExporterExportedIt() throws Exception {
    var conf =
        Conf.app(dir)
            .program("server", "g " + Gate.NAME, "e " + SVC)
            .exports(SVC)
            .and()
            .program("client", "l " + SVC)
            .requires(SVC)
            .and();
    var started = new CompletableFuture<Conf.Running>();
    // launch returns only when the server is ready, so it runs beside the test.
    var launching =
        CompletableFuture.runAsync(() -> {
          try {
            conf.launch(started::complete);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    try (var app = started.get(30, SECONDS)) {
      app.gate.awaitArrivals(1);
      // The server is held before its export: the client must not run yet.
      assertThat(app.guest("client").silentFor(Duration.ofMillis(300))).isTrue();

      app.gate.pass(1);
      var server = app.guest("server");
      assertThat(server.result(0)).isZero();
      assertThat(server.result(1)).isPositive();
      assertThat(app.guest("client").result(0)).isPositive();
      launching.get(30, SECONDS);
    }
  }
}
