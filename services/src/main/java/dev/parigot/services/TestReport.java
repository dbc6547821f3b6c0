package dev.parigot.services;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The judged results of one {@code parigot test} run, from {@link TestRun#report}: a suite per test
 * process, each a list of cases. Immutable.
 *
 * @param app the app's name
 * @param suites one per process of a test program, in pid order, then programs that never ran
 */
public record TestReport(String app, List<Suite> suites) {
  /** How a case came out. */
  public enum Outcome {
    PASSED,
    FAILED,
    SKIPPED
  }

  /**
   * One case.
   *
   * @param name as the program named it; {@code (exit)}, {@code (no cases)} or {@code (no process)}
   *     for what the runner judged about the process itself
   * @param time from Begin to End or Skip (or to the process's end)
   * @param checks how many checks it reported
   * @param failures why it failed, one line each: failed checks' messages, then how the process
   *     ended if the case was open
   * @param skipped the reason, if skipped
   */
  public record Case(
      String name,
      Outcome outcome,
      Duration time,
      int checks,
      List<String> failures,
      Optional<String> skipped) {
    public Case {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(time, "time");
      failures = List.copyOf(failures);
      Objects.requireNonNull(skipped, "skipped");
    }
  }

  /**
   * The cases of one process.
   *
   * @param program the test program
   * @param process the process as the kernel names it, e.g. {@code files_test[4]}
   * @param output the lines it wrote, stderr lines prefixed with {@code "! "}
   */
  public record Suite(String program, String process, List<Case> cases, List<String> output) {
    public Suite {
      Objects.requireNonNull(program, "program");
      Objects.requireNonNull(process, "process");
      cases = List.copyOf(cases);
      output = List.copyOf(output);
    }

    long count(Outcome outcome) {
      return cases.stream().filter(c -> c.outcome() == outcome).count();
    }

    Duration time() {
      return cases.stream().map(Case::time).reduce(Duration.ZERO, Duration::plus);
    }
  }

  public TestReport {
    Objects.requireNonNull(app, "app");
    suites = List.copyOf(suites);
  }

  /** How many cases there are in all. */
  public long cases() {
    return suites.stream().mapToLong(s -> s.cases().size()).sum();
  }

  /** How many cases came out {@code outcome}. */
  public long count(Outcome outcome) {
    return suites.stream().mapToLong(s -> s.count(outcome)).sum();
  }

  /** Whether no case failed. */
  public boolean passed() {
    return count(Outcome.FAILED) == 0;
  }

  /**
   * The report for a person: per process, one line per case (outcome, name, checks, time) with the
   * failures indented below it, then a totals line such as {@code 3 cases: 2 passed, 1 failed, 0
   * skipped}.
   */
  public String summary() {
    var s = new StringBuilder();
    for (Suite suite : suites) {
      s.append(suite.process()).append('\n');
      for (Case c : suite.cases()) {
        String outcome =
            switch (c.outcome()) {
              case PASSED -> "PASS";
              case FAILED -> "FAIL";
              case SKIPPED -> "SKIP";
            };
        s.append("  ").append(outcome).append("  ").append(c.name()).append(" (");
        s.append(c.checks()).append(c.checks() == 1 ? " check, " : " checks, ");
        s.append(millis(c.time())).append(")");
        c.skipped().ifPresent(reason -> s.append(": ").append(reason));
        s.append('\n');
        for (String failure : c.failures()) {
          s.append("        ").append(failure.replace("\n", "\n        ")).append('\n');
        }
      }
    }
    long cases = cases();
    s.append(cases).append(cases == 1 ? " case: " : " cases: ");
    s.append(count(Outcome.PASSED)).append(" passed, ");
    s.append(count(Outcome.FAILED)).append(" failed, ");
    s.append(count(Outcome.SKIPPED)).append(" skipped\n");
    return s.toString();
  }

  /**
   * The report as JUnit XML, the format CI systems read: a {@code testsuites} element with a {@code
   * testsuite} per process (named after its program) and a {@code testcase} per case (classname
   * {@code APP.PROGRAM}), {@code failure} and {@code skipped} elements, and the process's output as
   * {@code system-out}.
   */
  public String junitXml() {
    var x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.append("<testsuites name=").append(attr(app));
    totals(
        x,
        cases(),
        count(Outcome.FAILED),
        count(Outcome.SKIPPED),
        suites.stream().map(Suite::time).reduce(Duration.ZERO, Duration::plus));
    x.append(">\n");
    for (Suite suite : suites) {
      x.append("  <testsuite name=").append(attr(suite.program()));
      totals(
          x,
          suite.cases().size(),
          suite.count(Outcome.FAILED),
          suite.count(Outcome.SKIPPED),
          suite.time());
      x.append(">\n");
      for (Case c : suite.cases()) {
        x.append("    <testcase classname=").append(attr(app + "." + suite.program()));
        x.append(" name=").append(attr(c.name()));
        x.append(" time=").append(attr(seconds(c.time())));
        if (c.outcome() == Outcome.PASSED) {
          x.append("/>\n");
          continue;
        }
        x.append(">\n");
        if (c.outcome() == Outcome.FAILED) {
          x.append("      <failure message=")
              .append(attr(c.failures().isEmpty() ? "failed" : c.failures().getFirst()))
              .append(">")
              .append(text(String.join("\n", c.failures())))
              .append("</failure>\n");
        } else {
          x.append("      <skipped message=").append(attr(c.skipped().orElse(""))).append("/>\n");
        }
        x.append("    </testcase>\n");
      }
      if (!suite.output().isEmpty()) {
        x.append("    <system-out>")
            .append(text(String.join("\n", suite.output())))
            .append("</system-out>\n");
      }
      x.append("  </testsuite>\n");
    }
    return x.append("</testsuites>\n").toString();
  }

  private static void totals(StringBuilder x, long tests, long failures, long skipped, Duration t) {
    x.append(" tests=").append(attr(Long.toString(tests)));
    x.append(" failures=").append(attr(Long.toString(failures)));
    x.append(" errors=\"0\"");
    x.append(" skipped=").append(attr(Long.toString(skipped)));
    x.append(" time=").append(attr(seconds(t)));
  }

  private static String millis(Duration d) {
    return d.toMillis() + " ms";
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
  }

  private static String attr(String value) {
    return "\"" + text(value).replace("\"", "&quot;").replace("\n", "&#10;") + "\"";
  }

  /**
   * Escapes XML's markup characters and replaces what XML 1.0 cannot carry at all (most control
   * characters, lone surrogates): guest text is arbitrary.
   */
  private static String text(String value) {
    var s = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&' -> s.append("&amp;");
        case '<' -> s.append("&lt;");
        case '>' -> s.append("&gt;");
        default -> {
          boolean pair =
              Character.isHighSurrogate(c)
                  && i + 1 < value.length()
                  && Character.isLowSurrogate(value.charAt(i + 1));
          if (pair) {
            s.append(c).append(value.charAt(++i));
          } else if (c == '\t'
              || c == '\n'
              || c == '\r'
              || (c >= 0x20 && c < 0xFFFE && !Character.isSurrogate(c))) {
            s.append(c);
          } else {
            s.append('\uFFFD');
          }
        }
      }
    }
    return s.toString();
  }
}
