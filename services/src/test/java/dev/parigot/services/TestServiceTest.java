package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.TestReport.Case;
import dev.parigot.services.TestReport.Outcome;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.proto.TestProto.BeginRequest;
import dev.parigot.services.proto.TestProto.BeginResponse;
import dev.parigot.services.proto.TestProto.CheckRequest;
import dev.parigot.services.proto.TestProto.CheckResponse;
import dev.parigot.services.proto.TestProto.EndRequest;
import dev.parigot.services.proto.TestProto.EndResponse;
import dev.parigot.services.proto.TestProto.SkipRequest;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/** parigot.test.v1.Test through the Provider SPI, and what TestRun makes of the reports. */
class TestServiceTest {
  static final Manifest MANIFEST =
      Manifest.parse(
          """
          app = "app"
          [program.main]
          wasm = "main.wasm"
          role = "test"
          [program.silent]
          wasm = "silent.wasm"
          role = "test"
          [program.server]
          wasm = "server.wasm"
          role = "service"
          """,
          Path.of("app.toml"));

  @TempDir Path dir;
  Services services;
  Client test;

  /** What the kernel would report: Services.CALLER is main[7]. */
  Kernel.Output output;

  @BeforeEach
  void open() {
    services = new Services(dir);
    test = services.test();
    output = services.services.tests().output((process, stderr, line) -> {});
  }

  @AfterEach
  void close() {
    services.close();
  }

  private void begin(String name) {
    test.unary("Begin", BeginRequest.newBuilder().setName(name).build(), BeginResponse.parser());
  }

  private void check(boolean passed, String message) {
    test.unary(
        "Check",
        CheckRequest.newBuilder()
            .setPassed(passed)
            .setMessage(message)
            .setFile("t.c")
            .setLine(12)
            .build(),
        CheckResponse.parser());
  }

  private boolean end() {
    return test.unary("End", EndRequest.getDefaultInstance(), EndResponse.parser()).getPassed();
  }

  private TestReport report() {
    return services.services.tests().report(MANIFEST);
  }

  /** The cases reported for main[7]. */
  private List<Case> mainCases() {
    return report().suites().stream()
        .filter(s -> s.process().equals("main[7]"))
        .findFirst()
        .orElseThrow()
        .cases();
  }

  @Test
  void methodNumbersFollowDeclarationOrder() {
    assertThat(List.of("Begin", "Check", "End", "Skip"))
        .extracting(test::method)
        .containsExactly(1, 2, 3, 4);
  }

  @Test
  void casesPassFailOrSkipAndAreTimedOnTheServicesClock() {
    begin("passes");
    services.time.advance(Duration.ofMillis(12));
    check(true, "1 == 1");
    assertThat(end()).isTrue();
    begin("fails");
    check(false, "expected 1, got 2");
    check(true, "fine");
    assertThat(end()).isFalse();
    begin("skipped");
    assertThat(
            test.unary(
                    "Skip",
                    SkipRequest.newBuilder().setReason("no network").build(),
                    EndResponse.parser())
                .getPassed())
        .isFalse();
    begin("fails, then skips");
    check(false, "broken");
    test.unary("Skip", SkipRequest.getDefaultInstance(), EndResponse.parser());
    output.ended("main[7]", 0, Optional.empty());

    assertThat(mainCases())
        .containsExactly(
            new Case(
                "passes", Outcome.PASSED, Duration.ofMillis(12), 1, List.of(), Optional.empty()),
            new Case(
                "fails",
                Outcome.FAILED,
                Duration.ZERO,
                2,
                List.of("t.c:12: expected 1, got 2"),
                Optional.empty()),
            new Case(
                "skipped", Outcome.SKIPPED, Duration.ZERO, 0, List.of(), Optional.of("no network")),
            new Case(
                "fails, then skips",
                Outcome.FAILED,
                Duration.ZERO,
                1,
                List.of("t.c:12: broken"),
                Optional.empty()));
  }

  @Test
  void callsOutOfOrderArePreconditionFailures() {
    assertThat(
            test.call("Check", CheckRequest.getDefaultInstance()).error(Code.FAILED_PRECONDITION))
        .isEqualTo("no case is open; call Begin first");
    assertThat(test.call("End", EndRequest.getDefaultInstance()).error(Code.FAILED_PRECONDITION))
        .isEqualTo("no case is open; call Begin first");
    begin("a");
    assertThat(
            test.call("Begin", BeginRequest.newBuilder().setName("b").build())
                .error(Code.FAILED_PRECONDITION))
        .isEqualTo("case 'a' is still open; end it first");
    end();
    assertThat(test.call("Skip", SkipRequest.getDefaultInstance()).error(Code.FAILED_PRECONDITION))
        .isEqualTo("no case is open; call Begin first");
  }

  @Test
  void namesAreRequiredBoundedPrintableAndUniquePerProcess() {
    assertThat(test.call("Begin", BeginRequest.getDefaultInstance()).error(Code.INVALID_ARGUMENT))
        .isEqualTo("name: required");
    assertThat(
            test.call("Begin", BeginRequest.newBuilder().setName("x".repeat(257)).build())
                .error(Code.INVALID_ARGUMENT))
        .isEqualTo("name: 257 bytes; at most 256");
    assertThat(
            test.call("Begin", BeginRequest.newBuilder().setName("a\nb").build())
                .error(Code.INVALID_ARGUMENT))
        .isEqualTo("name: 'a\\x0ab' contains a control character");
    begin("a");
    end();
    assertThat(
            test.call("Begin", BeginRequest.newBuilder().setName("a").build())
                .error(Code.ALREADY_EXISTS))
        .isEqualTo("case 'a' was already reported");
    // Another process may use the same name.
    test.as(new Caller("app", "main", 8))
        .unary("Begin", BeginRequest.newBuilder().setName("a").build(), BeginResponse.parser());
  }

  @Test
  void messagesAreBounded() {
    begin("a");
    assertThat(
            test.call("Check", CheckRequest.newBuilder().setMessage("m".repeat(4097)).build())
                .error(Code.INVALID_ARGUMENT))
        .isEqualTo("message: 4097 bytes; at most 4096");
  }

  @Test
  void onlyTheFirstHundredFailuresKeepTheirMessages() {
    begin("many");
    for (int i = 0; i < 103; i++) {
      check(false, "failure " + i);
    }
    end();
    List<String> failures = mainCases().getFirst().failures();
    assertThat(failures).hasSize(101).endsWith("... and 3 more failed checks");
  }

  @Test
  void aCaseOpenWhenItsProcessIsKilledFailsWithTheReason() {
    begin("done");
    end();
    begin("interrupted");
    services.time.advance(Duration.ofMillis(5));
    output.ended("main[7]", 70, Optional.of("trap: unreachable"));
    Case c = mainCases().get(1);
    assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(c.time()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.failures())
        .containsExactly("main[7] ended before the case did: killed: trap: unreachable");
    // The kill is blamed on the open case only, not counted twice.
    assertThat(mainCases()).hasSize(2);
  }

  @Test
  void aNonZeroExitOutsideACaseFailsAndSoDoesReportingNothing() {
    begin("fine");
    end();
    output.ended("main[7]", 3, Optional.empty());
    output.ended("silent[9]", 0, Optional.empty());
    output.ended("server[2]", 70, Optional.of("the kernel is shutting down"));
    TestReport report = report();

    assertThat(report.suites())
        .extracting(TestReport.Suite::process)
        .containsExactly("main[7]", "silent[9]");
    assertThat(mainCases())
        .last()
        .satisfies(c -> {
          assertThat(c.name()).isEqualTo("(exit)");
          assertThat(c.failures()).containsExactly("main[7] exited with code 3");
        });
    assertThat(report.suites().get(1).cases())
        .singleElement()
        .satisfies(c -> {
          assertThat(c.name()).isEqualTo("(no cases)");
          assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
        });
    assertThat(report.passed()).isFalse();
  }

  @Test
  void aTestProgramThatNeverRanFails() {
    TestReport report = report();
    assertThat(report.suites())
        .extracting(TestReport.Suite::program)
        .containsExactly("main", "silent");
    assertThat(report.count(Outcome.FAILED)).isEqualTo(2);
  }

  @Test
  void theSummaryListsEachCaseAndTheTotals() {
    begin("passes");
    check(true, "");
    end();
    begin("fails");
    check(false, "expected 1, got 2");
    end();
    output.ended("main[7]", 1, Optional.empty());
    output.ended("silent[9]", 0, Optional.empty());
    assertThat(report().summary())
        .isEqualTo(
            """
            main[7]
              PASS  passes (1 check, 0 ms)
              FAIL  fails (1 check, 0 ms)
                    t.c:12: expected 1, got 2
              FAIL  (exit) (0 checks, 0 ms)
                    main[7] exited with code 1
            silent[9]
              FAIL  (no cases) (0 checks, 0 ms)
                    silent[9] reported no test case through parigot.test.v1.Test
            4 cases: 1 passed, 3 failed, 0 skipped
            """);
  }

  @Test
  void junitXmlIsWellFormedEvenWithHostileText() throws Exception {
    begin("<&\"'>");
    check(false, "]]> & <b> \u0001");
    end();
    begin("ok");
    end();
    output.line("main[7]", false, "hello <world>");
    output.ended("main[7]", 0, Optional.empty());
    output.ended("silent[9]", 0, Optional.empty());

    Document xml =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new InputSource(new StringReader(report().junitXml())));
    var root = xml.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("testsuites");
    assertThat(root.getAttribute("tests")).isEqualTo("3");
    assertThat(root.getAttribute("failures")).isEqualTo("2");
    var cases = xml.getElementsByTagName("testcase");
    assertThat(cases.getLength()).isEqualTo(3);
    var first = (org.w3c.dom.Element) cases.item(0);
    assertThat(first.getAttribute("classname")).isEqualTo("app.main");
    assertThat(first.getAttribute("name")).isEqualTo("<&\"'>");
    assertThat(first.getElementsByTagName("failure").item(0).getTextContent())
        .isEqualTo("t.c:12: ]]> & <b> \ufffd");
    assertThat(xml.getElementsByTagName("system-out").item(0).getTextContent())
        .isEqualTo("hello <world>");
  }
}
