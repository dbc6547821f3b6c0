package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The parigot command as a user meets it: exit codes and messages. */
class MainTest {
  private static final Path HELLO = Path.of("..", "examples", "hello", "app.toml");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int parigot(String... args) {
    return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  /** The same command line, through picocli whatever it is. */
  private int picocli(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void runWithoutOptionsSkipsPicocliAndDoesWhatPicocliDoes(@TempDir Path dir) {
    String missing = dir.resolve("nope.toml").toString();
    for (String[] args : new String[][] {{"run", HELLO.toString()}, {"run", missing}}) {
      int quick = parigot(args);
      String quickOut = out.toString().replaceAll("\\[\\d+\\]", "[N]");
      String quickErr = err.toString();
      out.getBuffer().setLength(0);
      err.getBuffer().setLength(0);
      int slow = picocli(args);
      assertThat(quick).as(String.join(" ", args)).isEqualTo(slow);
      assertThat(quickOut).isEqualTo(out.toString().replaceAll("\\[\\d+\\]", "[N]"));
      assertThat(quickErr).isEqualTo(err.toString());
      out.getBuffer().setLength(0);
      err.getBuffer().setLength(0);
    }
  }

  @Test
  void runPrintsTheHelloGreetingAndExitsZero() {
    int code = parigot("run", HELLO.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).containsPattern("main\\[\\d+\\]: Hello, parigot!");
  }

  @Test
  void checkAcceptsTheHelloExample() {
    assertThat(parigot("check", HELLO.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("app.toml: ok (2 programs)");
  }

  @Test
  void checkRefusesABadManifestWithExitCodeTwoNamingTheProblem(@TempDir Path dir) throws Exception {
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        """
        app = "broken"
        [program.main]
        wasm = "missing.wasm"
        role = "main"
        """);

    assertThat(parigot("check", manifest.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("parigot: ").contains("missing.wasm");
  }

  @Test
  void runRefusesAMissingManifestWithExitCodeTwo(@TempDir Path dir) {
    assertThat(parigot("run", dir.resolve("nope.toml").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope.toml");
  }

  @Test
  void runRefusesAModuleThatIsNotWasmWithExitCodeTwoNamingIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("main.wasm"), "not a module");
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest, "app = \"broken\"\n[program.main]\nwasm = \"main.wasm\"\nrole = \"main\"\n");

    assertThat(parigot("run", manifest.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("parigot: ").contains("main.wasm");
  }

  @Test
  void runSaysWhereAnAppWithHttpServesAndExitsWhenItsMainEnds(@TempDir Path dir) throws Exception {
    Path examples = HELLO.getParent().getParent().toAbsolutePath().normalize();
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        """
        app = "both"
        [http]
        listen = "127.0.0.1:0"
        [[http.route]]
        prefix = "/"
        service = "web.v1.Front"

        [program.web]
        wasm = "EXAMPLES/http/greeter.wasm"
        role = "service"
        exports = ["web.v1.Greeter"]

        [program.front]
        wasm = "EXAMPLES/http/front.wasm"
        role = "service"
        exports = ["web.v1.Front"]
        requires = ["web.v1.Greeter"]

        [program.greeter]
        wasm = "EXAMPLES/hello/greeter.wasm"
        role = "service"
        exports = ["hello.v1.Greeter"]

        [program.main]
        wasm = "EXAMPLES/hello/main.wasm"
        role = "main"
        requires = ["hello.v1.Greeter"]
        """
            .replace("EXAMPLES", examples.toString()));

    assertThat(parigot("run", manifest.toString())).as(err.toString()).isZero();
    assertThat(err.toString())
        .containsPattern("parigot: app 'both' serves HTTP on http://127\\.0\\.0\\.1:\\d+/\n");
    assertThat(out.toString()).containsPattern("main\\[\\d+\\]: Hello, world!");
  }

  @Test
  void testRefusesAnAppWithoutTestProgramsWithExitCodeTwo(@TempDir Path dir) throws Exception {
    Files.copy(HELLO.resolveSibling("main.wasm"), dir.resolve("main.wasm"));
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        """
        app = "untested"
        [program.main]
        wasm = "main.wasm"
        role = "main"
        """);

    assertThat(parigot("test", manifest.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no program has role = \"test\"");
  }

  @Test
  void testRefusesATimeoutBelowOneSecond() {
    assertThat(parigot("test", HELLO.toString(), "--timeout", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--timeout must be at least 1 second, not 0");
  }

  @Test
  void withoutACommandItSaysWhichOnesExist() {
    assertThat(parigot()).isEqualTo(2);
    assertThat(err.toString())
        .contains("Missing a command: run, check, test, gen, logs, cache, new or dev");
  }

  @Test
  void cacheClearDeletesTheModulesThatRunsCompiled() throws Exception {
    // Set by the build for every test JVM: no test writes in the user's cache.
    assertThat(System.getenv("PARIGOT_CACHE")).as("PARIGOT_CACHE, from pom.xml").isNotNull();
    Path cache = Path.of(System.getenv("PARIGOT_CACHE"));
    assertThat(parigot("check", HELLO.toString())).as(err.toString()).isZero();
    assertThat(modules(cache)).isNotEmpty();

    assertThat(parigot("cache", "clear")).as(err.toString()).isZero();

    assertThat(out.toString())
        .containsPattern("parigot: deleted [1-9][0-9]* compiled modules? from " + cache);
    assertThat(modules(cache)).isEmpty();
  }

  @Test
  void cacheWithoutACommandSaysWhichOnesExist() {
    assertThat(parigot("cache")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing a cache command: clear");
  }

  private static java.util.List<Path> modules(Path cache) throws java.io.IOException {
    if (!Files.isDirectory(cache)) {
      return java.util.List.of();
    }
    try (var files = Files.list(cache)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".module")).toList();
    }
  }

  @Test
  void genWritesCHeadersAndSourcesForEachProto(@TempDir Path dir) throws Exception {
    Path proto = dir.resolve("protos/demo/v1/demo.proto");
    Files.createDirectories(proto.getParent());
    Files.writeString(
        proto,
        """
        syntax = "proto3";
        package demo.v1;
        message Ping { string text = 1; }
        """);

    int code =
        parigot(
            "gen",
            "--lang",
            "c",
            "--out",
            dir.resolve("gen").toString(),
            "-I",
            dir.resolve("protos").toString(),
            proto.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(dir.resolve("gen/demo/v1/demo.pg.h")).content().contains("struct demo_v1_Ping {");
    assertThat(dir.resolve("gen/demo/v1/demo.pg.c")).exists();
  }

  @Test
  void genWithLangAsWritesAnAssemblyScriptModulePerProto(@TempDir Path dir) throws Exception {
    Path proto = dir.resolve("protos/demo/v1/demo.proto");
    Files.createDirectories(proto.getParent());
    Files.writeString(
        proto,
        """
        syntax = "proto3";
        package demo.v1;
        message Ping { string text = 1; }
        """);

    int code =
        parigot(
            "gen",
            "--lang",
            "as",
            "--out",
            dir.resolve("gen").toString(),
            "-I",
            dir.resolve("protos").toString(),
            proto.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(dir.resolve("gen/demo/v1/demo.ts")).content().contains("export class Ping {");
  }

  @Test
  void genRefusesALanguageItDoesNotKnow(@TempDir Path dir) throws Exception {
    Path proto = dir.resolve("p.proto");
    Files.writeString(proto, "syntax = \"proto3\";\n");

    int code = parigot("gen", "--lang", "cobol", "--out", dir.toString(), proto.toString());

    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("unknown language cobol (supported: c, as)");
  }

  @Test
  void genReportsProtocErrorsWithExitCodeOne(@TempDir Path dir) throws Exception {
    Path proto = dir.resolve("bad.proto");
    Files.writeString(proto, "syntax = \"proto3\";\nmessage {\n");

    assertThat(
            parigot(
                "gen",
                "--lang",
                "c",
                "--out",
                dir.toString(),
                "-I",
                dir.toString(),
                proto.toString()))
        .isEqualTo(1);
    assertThat(err.toString()).startsWith("parigot: gen: ").contains("bad.proto:2");
  }

  @Test
  void logsOfAnAppThatNeverLoggedPrintNothing(@TempDir Path dir) throws Exception {
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest, "app = \"quiet\"\n[program.main]\nwasm = \"m.wasm\"\nrole = \"main\"\n");

    assertThat(parigot("logs", manifest.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void logsRefuseAnUnknownLevel(@TempDir Path dir) throws Exception {
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest, "app = \"quiet\"\n[program.main]\nwasm = \"m.wasm\"\nrole = \"main\"\n");

    assertThat(parigot("logs", manifest.toString(), "--level", "loud")).isEqualTo(2);
    assertThat(err.toString()).contains("not a log level: 'loud'");
  }
}
