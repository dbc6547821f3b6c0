package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples' own application error codes are in the application range (1000 and above, {@code
 * PG_APP_CODE_MIN}), so none reads as one of parigot.status.v1.Code's, which the generated
 * dispatcher and the kernel services answer with (examples/kv's CONTENDED was 3, the dispatcher's
 * INVALID_ARGUMENT); and no example fails a call with a bare number.
 */
class ErrorCodeRangeTest {
  private static final Pattern ERROR_ENUM =
      Pattern.compile("enum (\\w+Error) \\{(.*?)\\}", Pattern.DOTALL);
  private static final Pattern VALUE = Pattern.compile("(\\w+) = (\\d+);");
  private static final Pattern BARE_FAIL = Pattern.compile("pg_call_fail\\([^,]+,\\s*(\\d+)\\s*,");

  @Test
  void everyErrorEnumOfAnExampleIsInTheApplicationRange() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path proto : files(".proto")) {
      Matcher e = ERROR_ENUM.matcher(Files.readString(proto));
      while (e.find()) {
        Matcher v = VALUE.matcher(e.group(2));
        while (v.find()) {
          int code = Integer.parseInt(v.group(2));
          if (code != 0) {
            found.add(proto.getFileName() + " " + v.group(1) + " = " + code);
            assertThat(code).as("%s %s", proto, v.group(1)).isGreaterThanOrEqualTo(1000);
          }
        }
      }
    }
    // The examples that declare codes: errors, kv and stream.
    assertThat(found).hasSizeGreaterThanOrEqualTo(5);
  }

  @Test
  void noExampleFailsACallWithABareNumber() throws IOException {
    for (Path c : files(".c")) {
      Matcher m = BARE_FAIL.matcher(Files.readString(c));
      String bare = m.find() ? m.group() : "";
      assertThat(bare).as("%s fails a call with a bare code: use a constant", c).isEmpty();
    }
  }

  /** The files of every example with that ending. */
  private static List<Path> files(String ending) throws IOException {
    try (Stream<Path> all = Files.walk(Path.of("."), 2)) {
      return all.filter(p -> p.toString().endsWith(ending) && !p.startsWith("./src"))
          .filter(p -> !p.startsWith("./target"))
          .sorted()
          .toList();
    }
  }
}
