package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cli.Main;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import picocli.CommandLine;

/**
 * Runs examples/files exactly as {@code ./parigot test examples/files/app.toml --junit-xml FILE}
 * does, on a copy of the example so its data directory lands in a temporary folder.
 */
class FilesExampleTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int parigot(String... args) throws Exception {
    Examples.copy("files", dir);
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private static Document xml(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new InputSource(new StringReader(Files.readString(file))));
  }

  @Test
  void theFilesTestPassesEveryCaseAndWritesJUnitXml() throws Exception {
    Path junit = dir.resolve("files.xml");
    // A data directory of its own, to look into afterwards: by default test's is temporary.
    Path data = dir.resolve("data");
    int code =
        parigot(
            "test",
            dir.resolve("app.toml").toString(),
            "--junit-xml",
            junit.toString(),
            "--data-dir",
            data.toString());

    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .containsPattern("files_test\\[\\d+\\]\n")
        .contains("  PASS  a written file reads back (4 checks, ")
        .contains("  PASS  paths that leave the sandbox are refused (4 checks, ")
        .contains(
            "  PASS  writes stop at the program's disk quota and a delete frees it (5 checks, ")
        .contains("8 cases: 8 passed, 0 failed, 0 skipped\n")
        .containsPattern("ok in \\d+\\.\\d s");
    Document xml = xml(junit);
    Element suites = xml.getDocumentElement();
    assertThat(suites.getAttribute("name")).isEqualTo("files");
    assertThat(suites.getAttribute("tests")).isEqualTo("8");
    assertThat(suites.getAttribute("failures")).isEqualTo("0");
    assertThat(xml.getElementsByTagName("failure").getLength()).isZero();
    // The test program ran in its own directory, under the data directory, and cleaned up.
    assertThat(data.resolve("files/files_test")).isEmptyDirectory();
    assertThat(dir.resolve(".parigot")).doesNotExist();
  }

  @Test
  void aFailedCheckAndATrapInsideACaseFailTheRunWithExitCodeOne() throws Exception {
    Path junit = dir.resolve("failing.xml");
    int code =
        parigot("test", dir.resolve("failing.toml").toString(), "--junit-xml", junit.toString());

    assertThat(code).as(out + "\n" + err).isEqualTo(1);
    assertThat(out.toString())
        .contains("  PASS  passes (1 check, ")
        .contains("  FAIL  fails a check (1 check, ")
        .contains("examples/files/failing_test.c:14: expected 1 + 1 == 3: got 2, want 3")
        .contains("  FAIL  traps (0 checks, ")
        .containsPattern("failing_test\\[\\d+\\] ended before the case did: killed: trap: ")
        .contains("3 cases: 1 passed, 2 failed, 0 skipped\n")
        .containsPattern("FAILED in \\d+\\.\\d s");
    Document xml = xml(junit);
    assertThat(xml.getDocumentElement().getAttribute("failures")).isEqualTo("2");
    var failures = xml.getElementsByTagName("failure");
    assertThat(failures.getLength()).isEqualTo(2);
    assertThat(((Element) failures.item(1).getParentNode()).getAttribute("name"))
        .isEqualTo("traps");
  }
}
