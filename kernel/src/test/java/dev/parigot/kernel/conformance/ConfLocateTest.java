package dev.parigot.kernel.conformance;

import static dev.parigot.abi.Errno.BAD_ARGUMENT;
import static dev.parigot.abi.Errno.NOT_PERMITTED;
import static dev.parigot.abi.Errno.NO_SUCH_SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/abi.md, "locate": a service handle for a name the manifest grants, and nothing else. */
class ConfLocateTest {
  @TempDir Path dir;

  @Test
  void aGrantedServedNameGivesAPositiveHandle() throws Exception {
    try (var app = Conf.app(dir).program("main", "l " + Hold.NAME, "l " + Gate.NAME).launch()) {
      var main = app.guest("main");
      int first = main.result(0);
      assertThat(first).isPositive();
      assertThat(main.result(1)).isPositive().isNotEqualTo(first);
    }
  }

  @Test
  void aNameNotUnderRequiresIsNotPermittedAndCountsAsADenial() throws Exception {
    String longest = "a".repeat(255);
    try (var app =
        Conf.app(dir)
            .program("main", "l other.v1.Secret", "l " + longest, "l " + Hold.NAME)
            .launch()) {
      var main = app.guest("main");
      assertThat(main.result(0)).isEqualTo(NOT_PERMITTED.negative());
      assertThat(main.result(1)).isEqualTo(NOT_PERMITTED.negative());
      assertThat(main.result(2)).isPositive();
      assertThat(app.process("main").denials()).isEqualTo(2);
    }
  }

  @Test
  void aProcessLoopingOnADeniedNameLogsItsFirstDenialsThenCountsAtPowersOfTenAndInAll()
      throws Exception {
    // The script runs at most 64 commands.
    String[] commands = new String[60];
    Arrays.fill(commands, "l other.v1.Flood");
    List<String> lines = new CopyOnWriteArrayList<>();
    Logger kernelLog = Logger.getLogger("dev.parigot.kernel");
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            lines.add(MessageFormat.format(r.getMessage(), r.getParameters()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    kernelLog.addHandler(capture);
    try {
      String main;
      try (var app = Conf.app(dir).program("main", commands).launch()) {
        var guest = app.guest("main");
        for (int cmd = 0; cmd < commands.length; cmd++) {
          assertThat(guest.result(cmd)).isEqualTo(NOT_PERMITTED.negative());
        }
        assertThat(app.process("main").denials()).isEqualTo(60);
        main = "main[" + app.process("main").pid() + "]";
      }
      assertThat(lines.stream().filter(l -> l.contains("other.v1.Flood")))
          .as("logged one by one")
          .hasSize(5);
      assertThat(lines.stream().filter(l -> l.contains("calls denied")))
          .containsExactly(
              main + ": 10 calls denied so far; only the first 5 are logged one by one",
              main + ": 60 calls denied in all");
    } finally {
      kernelLog.removeHandler(capture);
    }
  }

  @Test
  void aMalformedNameIsABadArgumentAndNoDenial() throws Exception {
    try (var app =
        Conf.app(dir)
            .program("main", "l ", "l " + "a".repeat(256), "l 1digit.v1.X", "l has space", "l a/b")
            .launch()) {
      var main = app.guest("main");
      for (int cmd = 0; cmd < 5; cmd++) {
        assertThat(main.result(cmd)).as("command %d", cmd).isEqualTo(BAD_ARGUMENT.negative());
      }
      assertThat(app.process("main").denials()).isZero();
    }
  }

  @Test
  void aGrantedNameNothingServesIsNoSuchService() throws Exception {
    // A test program is not started, so the name it exports is granted but served by nobody.
    try (var app =
        Conf.app(dir)
            .program("absent")
            .exports(Conf.SVC)
            .role("test")
            .and()
            .program("main", "l " + Conf.SVC)
            .requires(Conf.SVC)
            .launch()) {
      assertThat(app.guest("main").result(0)).isEqualTo(NO_SUCH_SERVICE.negative());
      assertThat(app.process("main").denials()).isZero();
    }
  }
}
