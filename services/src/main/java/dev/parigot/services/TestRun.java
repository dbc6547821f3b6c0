package dev.parigot.services;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Role;
import dev.parigot.services.TestReport.Case;
import dev.parigot.services.TestReport.Outcome;
import dev.parigot.services.TestReport.Suite;
import dev.parigot.services.TestService.CaseLog;
import dev.parigot.services.TestService.ProcessLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What test programs reported through {@code parigot.test.v1.Test} and how their processes ended:
 * the data behind {@code parigot test}. Get it from {@link KernelServices#tests()}, give the kernel
 * its {@link #output}, launch the tests, and once they have ended (or the kernel was closed) ask
 * for the {@link #report}. Thread-safe.
 */
public final class TestRun {
  /** Lines of output kept per process for the report; later ones are counted. */
  static final int KEPT_LINES = 10_000;

  /** How a process ended, and when on the service's clock. */
  private record Ending(int code, Optional<String> killReason, long nanos) {
    String describe() {
      return killReason.map(r -> "killed: " + r).orElse("exited with code " + code);
    }
  }

  /** A process's output lines, as the kernel named it. */
  private static final class Output {
    final String process;
    final List<String> lines = new ArrayList<>();
    int unkept;

    Output(String process) {
      this.process = process;
    }
  }

  private final TestService service;
  private final Map<Long, Ending> endings = new ConcurrentHashMap<>();
  private final Map<Long, Output> outputs = new ConcurrentHashMap<>();

  TestRun(TestService service) {
    this.service = service;
  }

  /**
   * A kernel output that records every process's output and ending for the report, then passes both
   * on to {@code shown}.
   */
  public Kernel.Output output(Kernel.Output shown) {
    Objects.requireNonNull(shown, "shown");
    return new Kernel.Output() {
      @Override
      public void line(String process, boolean stderr, String line) {
        pid(process)
            .ifPresent(pid -> {
              Output out = outputs.computeIfAbsent(pid, p -> new Output(process));
              synchronized (out) {
                if (out.lines.size() < KEPT_LINES) {
                  out.lines.add((stderr ? "! " : "") + line);
                } else {
                  out.unkept++;
                }
              }
            });
        shown.line(process, stderr, line);
      }

      @Override
      public void ended(String process, int code, Optional<String> killReason) {
        pid(process)
            .ifPresent(pid -> {
              endings.put(pid, new Ending(code, killReason, service.time().nanos()));
              // Known even if it wrote nothing: a silent test program must still be judged.
              outputs.computeIfAbsent(pid, p -> new Output(process));
            });
        shown.ended(process, code, killReason);
      }
    };
  }

  /**
   * Judges what the test programs of {@code manifest} reported, as of now: one suite per process of
   * a test program (workers included), one case per reported case, plus a failed case for a process
   * that exited non-zero or was killed outside a case, or reported no case. A worker that reported
   * no case and ended with code 0 has no suite: it helped its parent's cases, which judge its work.
   * A case still open fails with how its process ended, or "still running" if it has not.
   */
  public TestReport report(Manifest manifest) {
    Set<String> tests =
        manifest.programs().stream()
            .filter(p -> p.role() == Role.TEST)
            .map(ProgramSpec::name)
            .collect(Collectors.toSet());
    var pids = new TreeSet<Long>();
    service
        .logs()
        .forEach((pid, log) -> {
          if (log.caller.app().equals(manifest.app()) && tests.contains(log.caller.program())) {
            pids.add(pid);
          }
        });
    outputs.forEach((pid, out) -> {
      if (tests.contains(program(out.process))) {
        pids.add(pid);
      }
    });
    var suites = new ArrayList<Suite>();
    var seen = new TreeMap<String, Integer>();
    for (long pid : pids) {
      if (quietWorker(pid)) {
        continue;
      }
      Suite suite = suite(pid);
      seen.merge(suite.program(), 1, Integer::sum);
      suites.add(suite);
    }
    for (String program : new TreeSet<>(tests)) {
      if (!seen.containsKey(program)) {
        suites.add(
            new Suite(
                program,
                program,
                List.of(failed("(no process)", Duration.ZERO, "the program never ran")),
                List.of()));
      }
    }
    return new TestReport(manifest.app(), suites);
  }

  /** Whether {@code pid} is a worker that reported no case and ended with code 0. */
  private boolean quietWorker(long pid) {
    Output out = outputs.get(pid);
    Ending ending = endings.get(pid);
    return out != null
        && out.process.contains("/")
        && ending != null
        && ending.code() == 0
        && ending.killReason().isEmpty()
        && !service.logs().containsKey(pid);
  }

  private Suite suite(long pid) {
    ProcessLog log = service.logs().get(pid);
    Output out = outputs.get(pid);
    Ending ending = endings.get(pid);
    String process = out != null ? out.process : log.caller.process();
    String program = program(process);
    long now = service.time().nanos();
    var cases = new ArrayList<Case>();
    boolean endingBlamed = false;
    if (log != null) {
      synchronized (log) {
        for (CaseLog c : log.cases) {
          if (c.endNanos < 0) {
            String why =
                ending == null
                    ? "still running"
                    : "ended before the case did: " + ending.describe();
            long until = ending == null ? now : ending.nanos();
            var failures = new ArrayList<>(c.failures);
            failures.add(process + " " + why);
            cases.add(
                new Case(
                    c.name,
                    Outcome.FAILED,
                    nanos(until - c.startNanos),
                    c.checks,
                    failures,
                    Optional.empty()));
            endingBlamed = true;
          } else {
            var failures = new ArrayList<>(c.failures);
            if (c.unkeptFailures > 0) {
              failures.add("... and " + c.unkeptFailures + " more failed checks");
            }
            Outcome outcome =
                c.failed() ? Outcome.FAILED : c.skipped != null ? Outcome.SKIPPED : Outcome.PASSED;
            cases.add(
                new Case(
                    c.name,
                    outcome,
                    nanos(c.endNanos - c.startNanos),
                    c.checks,
                    failures,
                    Optional.ofNullable(c.skipped)));
          }
        }
      }
    }
    if (ending != null && ending.code() != 0 && !endingBlamed) {
      cases.add(failed("(exit)", Duration.ZERO, process + " " + ending.describe()));
    } else if (cases.isEmpty()) {
      cases.add(
          failed(
              "(no cases)",
              Duration.ZERO,
              process + " reported no test case through parigot.test.v1.Test"));
    }
    List<String> lines = List.of();
    if (out != null) {
      synchronized (out) {
        lines = new ArrayList<>(out.lines);
        if (out.unkept > 0) {
          lines.add("... and " + out.unkept + " more lines");
        }
      }
    }
    return new Suite(program, process, cases, lines);
  }

  private static Case failed(String name, Duration time, String why) {
    return new Case(name, Outcome.FAILED, time, 0, List.of(why), Optional.empty());
  }

  private static Duration nanos(long nanos) {
    return Duration.ofNanos(Math.max(0, nanos));
  }

  /** The pid in a process name as the kernel gives it, e.g. 7 in {@code tests/worker[7]}. */
  private static Optional<Long> pid(String process) {
    int open = process.lastIndexOf('[');
    if (open < 0 || !process.endsWith("]")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(process.substring(open + 1, process.length() - 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The program in a process name: what comes before a worker's '/' or the '['. */
  private static String program(String process) {
    int end = process.length();
    for (char c : new char[] {'/', '['}) {
      int at = process.indexOf(c);
      if (at >= 0) {
        end = Math.min(end, at);
      }
    }
    return process.substring(0, end);
  }
}
