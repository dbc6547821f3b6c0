package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.conformance.Probe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/abi.md, "Bad pointers kill": every (ptr, len) a syscall takes is checked before use. A
 * negative pointer, a negative length, a range that ends past memory (also when ptr + len wraps in
 * 32 bits) kills the caller with "bad pointer: [ptr, +len) is outside its N-byte memory"; a range
 * that ends exactly at the end of memory, and an empty one at ptr == memory size, are accepted.
 *
 * <p>One app runs {@code iso-ptr} once per (syscall range, variant) as program "range-variant";
 * each exits with what its call returned. reply and fail answer a call this test makes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadPointerTest {
  private static final int MEMORY = 65536;

  /**
   * Every (ptr, len) range of the ABI: program-name prefix, iso-ptr's letter, where its content is,
   * how long it is, and what the call returns at the end of memory (variant b) and for an empty
   * range at ptr == memory size (variant z).
   */
  private record Range(String name, char letter, int src, int len, int atEnd, int emptyAtEnd) {}

  private static final List<Range> RANGES =
      List.of(
          new Range("locate", 'L', 256, 21, 1, -8),
          new Range("export", 'X', 288, 11, -1, -8),
          new Range("call", 'C', 304, 4, 2, 2),
          new Range("waitevents", 'E', 1024, 64, 0, -8),
          new Range("waitbuf", 'B', 304, 4, 0, 0),
          new Range("reply", 'R', 304, 4, 0, 0),
          new Range("fail", 'F', 304, 4, 0, 0),
          new Range("spawnentry", 'S', 312, 4, 1, -8),
          new Range("spawnarg", 'A', 304, 4, 1, 1),
          new Range("send", 'M', 304, 4, 0, 0));

  private IsoKernel k;
  // What the Java caller of each reply/fail program got back.
  private final Map<String, IsoKernel.Answer> answers = new LinkedHashMap<>();

  @BeforeAll
  void launch(@TempDir Path dir) {
    k = new IsoKernel(dir);
    var toml = new StringBuilder("app = \"pointers\"\n");
    for (Range r : RANGES) {
      for (char v : "nleobz".toCharArray()) {
        String program = r.name() + "-" + v;
        boolean serves = r.letter() == 'R' || r.letter() == 'F';
        toml.append(
            """
            [program.%s]
            wasm = "iso-ptr.wasm"
            role = "%s"
            requires = ["%s"]
            exports = [%s]
            args = ["%s%s"%s]
            """
                .formatted(
                    program,
                    serves ? "service" : "main",
                    Probe.NAME,
                    serves ? "\"iso.v1." + program + "\"" : "",
                    r.letter(),
                    v,
                    serves ? ", \"iso.v1." + program + "\"" : ""));
      }
    }
    k.launch(toml.toString(), "iso-ptr");
    for (Range r : RANGES) {
      if (r.letter() == 'R' || r.letter() == 'F') {
        for (char v : "nleobz".toCharArray()) {
          String program = r.name() + "-" + v;
          answers.put(program, k.call("iso.v1." + program, 1, "please"));
        }
      }
    }
  }

  @AfterAll
  void close() {
    k.close();
  }

  Stream<Arguments> outside() {
    List<Arguments> cases = new ArrayList<>();
    for (Range r : RANGES) {
      cases.add(Arguments.of(r.name() + "-n", r.name() + " with ptr = -1", -1, r.len()));
      if (r.letter() != 'E') {
        cases.add(Arguments.of(r.name() + "-l", r.name() + " with len = -1", r.src(), -1));
      }
      cases.add(
          Arguments.of(
              r.name() + "-e",
              r.name() + " ending one past memory",
              MEMORY - r.len() + 1,
              r.len()));
      cases.add(
          Arguments.of(
              r.name() + "-o",
              r.name() + " whose ptr + len wraps in 32 bits",
              Integer.MAX_VALUE,
              r.len()));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("outside")
  void aRangeOutsideMemoryKillsTheCaller(String program, String what, int ptr, int len)
      throws Exception {
    assertThat(k.awaitEnding(program))
        .isEqualTo(
            "70 bad pointer: ["
                + Integer.toUnsignedString(ptr)
                + ", +"
                + len
                + ") is outside its "
                + MEMORY
                + "-byte memory");
  }

  Stream<Arguments> inside() {
    List<Arguments> cases = new ArrayList<>();
    for (Range r : RANGES) {
      cases.add(
          Arguments.of(
              r.name() + "-b", r.name() + " ending exactly at the end of memory", r.atEnd()));
      cases.add(
          Arguments.of(r.name() + "-z", r.name() + " empty at ptr == memory size", r.emptyAtEnd()));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("inside")
  void aRangeThatEndsAtTheEndOfMemoryIsAccepted(String program, String what, int result)
      throws Exception {
    assertThat(k.awaitEnding(program)).as("exit code = the call's result").isEqualTo("" + result);
  }

  @org.junit.jupiter.api.Test
  void aNegativeMaxEventsIsABadArgumentNotABadPointer() throws Exception {
    assertThat(k.awaitEnding("waitevents-l")).isEqualTo("-8");
  }

  @org.junit.jupiter.api.Test
  void replyAndFailSendWhatTheRangeHoldsAndACallerOfAKilledServerGetsProviderDied()
      throws Exception {
    assertThat(answers.get("reply-b").await()).isEqualTo("END ping");
    assertThat(answers.get("reply-z").await()).isEqualTo("END ");
    assertThat(answers.get("fail-b").await()).isEqualTo("ERROR 1 ping");
    assertThat(answers.get("fail-z").await()).isEqualTo("ERROR 1 ");
    for (String killed : List.of("reply-n", "reply-l", "reply-e", "reply-o", "fail-n", "fail-o")) {
      assertThat(answers.get(killed).await()).as(killed).startsWith("ERROR -5 ");
    }
  }
}
