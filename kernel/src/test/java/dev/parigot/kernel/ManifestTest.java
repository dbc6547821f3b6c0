package dev.parigot.kernel;

import dev.parigot.errors.ParigotException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a manifest may say, what it means, and how each mistake in it is reported. */
class ManifestTest {
  private static final Path FILE = Path.of("app.toml");

  /** The example of the README's section "The manifest", verbatim. */
  private static final String README_EXAMPLE =
      """
      app = "hello"                       # [a-z][a-z0-9-]*

      [limits]                            # optional defaults for every program
      memory_mib = 64                     # memory.grow beyond this returns -1
      cpu_slice_ms = 1000                 # longest run without entering the kernel
      max_inflight = 1024                 # open outgoing calls
      max_message_bytes = 1048576         # largest request, reply or message
      max_workers = 16                    # live workers per process
      call_timeout_ms = 30000             # default call deadline (0 = none)

      [program.greeter]
      wasm = "greeter.wasm"               # relative to this file
      role = "service"                    # service | main | test
      exports = ["hello.v1.Greeter"]      # names this program may serve
      requires = []                       # names this program may call
      args = []                           # argv after argv[0] (the program name)
      env = { GREETING = "Hello" }
      replicas = 1                        # processes serving the same names

      [program.greeter.limits]            # optional per-program overrides
      memory_mib = 16

      [program.main]
      wasm = "main.wasm"
      role = "main"
      requires = ["hello.v1.Greeter"]
      args = ["parigot"]
      """;

  @TempDir Path dir;

  // ---- What a manifest means ----

  @Test
  void theDataDirDefaultsToDotParigotSlashAppNextToTheManifest() {
    Manifest m = Manifest.parse(README_EXAMPLE, Path.of("apps/hello/app.toml"));
    assertThat(m.dataDir()).isEqualTo(Path.of("apps/hello/.parigot/hello"));
  }

  @Test
  void aRelativeDataDirResolvesAgainstTheManifestsDirectory() {
    Manifest m =
        Manifest.parse(
            "data_dir = \"../state\"\n" + README_EXAMPLE, Path.of("apps/hello/app.toml"));
    assertThat(m.dataDir()).isEqualTo(Path.of("apps/state"));
  }

  @Test
  void anAbsoluteDataDirIsKept() {
    Manifest m =
        Manifest.parse("data_dir = \"/var/lib/hello\"\n" + README_EXAMPLE, Path.of("app.toml"));
    assertThat(m.dataDir()).isEqualTo(Path.of("/var/lib/hello"));
  }

  @Test
  void anEmptyOrNonStringDataDirIsRefused() {
    assertThat(problems("data_dir = \"\"\n" + README_EXAMPLE))
        .containsExactly(
            "app.toml:1: data_dir: must be a directory path, absolute or relative to the"
                + " manifest's directory, not \"\"");
    assertThat(problems("data_dir = 3\n" + README_EXAMPLE))
        .containsExactly(
            "app.toml:1: data_dir: must be a directory path, absolute or relative to the"
                + " manifest's directory, not 3");
  }

  @Test
  void theReadmeExampleDescribesAGreeterServiceAndAMainThatCallsIt() {
    Manifest manifest = Manifest.parse(README_EXAMPLE, Path.of("apps/hello/app.toml"));

    assertThat(manifest.app()).isEqualTo("hello");
    assertThat(manifest.file()).isEqualTo(Path.of("apps/hello/app.toml"));
    assertThat(manifest.programs())
        .containsExactly(
            new ProgramSpec(
                "greeter",
                Path.of("apps/hello/greeter.wasm"),
                Role.SERVICE,
                List.of("hello.v1.Greeter"),
                List.of(),
                List.of(),
                List.of(),
                Map.of("GREETING", "Hello"),
                1,
                new Limits(16 * 16, 1000, 1024, 1048576, 16, 30000)),
            new ProgramSpec(
                "main",
                Path.of("apps/hello/main.wasm"),
                Role.MAIN,
                List.of(),
                List.of("hello.v1.Greeter"),
                List.of(),
                List.of("parigot"),
                Map.of(),
                1,
                Limits.DEFAULTS));
    assertThat(manifest.program("main")).contains(manifest.programs().get(1));
    assertThat(manifest.program("nobody")).isEmpty();
    assertThat(manifest.exporterOf("hello.v1.Greeter")).contains(manifest.programs().get(0));
    assertThat(manifest.exporterOf("hello.v1.Other")).isEmpty();
  }

  @Test
  void withoutLimitsAProgramGets64MibOfMemoryAndTheOtherDefaults() {
    ProgramSpec main = only(manifest(program("main", "main")));

    assertThat(main.limits()).isEqualTo(Limits.DEFAULTS);
    assertThat(Limits.DEFAULTS)
        .isEqualTo(new Limits(1024, 1000, 1024, 1 << 20, 16, 30_000))
        .extracting(Limits::memoryPages)
        .isEqualTo(64 * 16);
  }

  @Test
  void onlyWasmAndRoleAreRequiredOfAProgram() {
    ProgramSpec main = only(manifest(program("main", "main")));

    assertThat(main.exports()).isEmpty();
    assertThat(main.requires()).isEmpty();
    assertThat(main.args()).isEmpty();
    assertThat(main.env()).isEmpty();
    assertThat(main.replicas()).isEqualTo(1);
  }

  @Test
  void appLimitsOverrideTheDefaultsAndProgramLimitsOverrideTheAppsKeyByKey() {
    Manifest manifest =
        manifest(
            """
            app = "a"
            [limits]
            memory_mib = 32
            cpu_slice_ms = 500
            [program.inherits]
            wasm = "i.wasm"
            role = "main"
            [program.overrides]
            wasm = "o.wasm"
            role = "main"
            [program.overrides.limits]
            cpu_slice_ms = 20
            max_inflight = 8
            max_message_bytes = 4096
            max_workers = 0
            call_timeout_ms = 0
            """);

    assertThat(manifest.program("inherits").orElseThrow().limits())
        .isEqualTo(new Limits(32 * 16, 500, 1024, 1 << 20, 16, 30_000));
    assertThat(manifest.program("overrides").orElseThrow().limits())
        .isEqualTo(new Limits(32 * 16, 20, 8, 4096, 0, 0));
  }

  @Test
  void programLimitsMayBeAnInlineTable() {
    ProgramSpec main =
        only(
            manifest(
                """
                app = "a"
                [limits]
                max_workers = 4
                [program.main]
                wasm = "main.wasm"
                role = "main"
                limits = { memory_mib = 1, call_timeout_ms = 5 }
                """));

    assertThat(main.limits()).isEqualTo(new Limits(16, 1000, 1024, 1 << 20, 4, 5));
  }

  @Test
  void allFieldsOfAProgramAreRead() {
    ProgramSpec worker =
        only(
            manifest(
                """
                app = "a"
                [program.worker]
                wasm = "/opt/wasm/../w.wasm"
                role = "test"
                exports = ["w.v1.Work", "w.v1.Admin"]
                requires = ["parigot.clock"]
                args = ["-v", "two words"]
                env = { ZED = "last", ALPHA = "first" }
                replicas = 64
                """));

    assertThat(worker.wasm()).isEqualTo(Path.of("/opt/w.wasm"));
    assertThat(worker.role()).isEqualTo(Role.TEST);
    assertThat(worker.exports()).containsExactly("w.v1.Work", "w.v1.Admin");
    assertThat(worker.requires()).containsExactly("parigot.clock");
    assertThat(worker.args()).containsExactly("-v", "two words");
    assertThat(worker.env()).containsExactly(Map.entry("ZED", "last"), Map.entry("ALPHA", "first"));
    assertThat(worker.replicas()).isEqualTo(64);
  }

  @Test
  void rolesAreSpelledInLowerCase() {
    assertThat(Role.MAIN.toml()).isEqualTo("main");
    assertThat(Role.SERVICE.toml()).isEqualTo("service");
    assertThat(Role.TEST.toml()).isEqualTo("test");
  }

  @Test
  void loadReadsAFileAndResolvesModulesAgainstItsDirectory() throws Exception {
    Path file = dir.resolve("app.toml");
    Files.writeString(file, program("main", "main").replace("main.wasm", "../bin/main.wasm"));

    Manifest manifest = Manifest.load(file);

    assertThat(manifest.file()).isEqualTo(file);
    assertThat(only(manifest).wasm()).isEqualTo(dir.getParent().resolve("bin/main.wasm"));
  }

  @Test
  void aModuleBesideAManifestInTheWorkingDirectoryIsARelativePath() {
    assertThat(only(manifest(program("main", "main"))).wasm()).isEqualTo(Path.of("main.wasm"));
  }

  // ---- Start order ----

  @Test
  void providersStartBeforeTheProgramsRequiringTheirNamesAndOthersInFileOrder() {
    Manifest manifest =
        manifest(
            """
            app = "a"
            [program.main]
            wasm = "main.wasm"
            role = "main"
            requires = ["b.v1.B"]
            [program.tool]
            wasm = "tool.wasm"
            role = "main"
            [program.b]
            wasm = "b.wasm"
            role = "service"
            exports = ["b.v1.B"]
            requires = ["a.v1.A"]
            [program.a]
            wasm = "a.wasm"
            role = "service"
            exports = ["a.v1.A"]
            [program.check]
            wasm = "check.wasm"
            role = "test"
            requires = ["a.v1.A", "b.v1.B"]
            """);

    assertThat(manifest.programs())
        .extracting(ProgramSpec::name)
        .containsExactly("main", "tool", "b", "a", "check");
    assertThat(manifest.startOrder())
        .extracting(ProgramSpec::name)
        .containsExactly("tool", "a", "b", "main", "check");
  }

  @Test
  void independentProgramsStartInFileOrder() {
    Manifest manifest =
        manifest("app = \"a\"\n" + table("zeta", "main") + table("alpha", "service"));

    assertThat(manifest.startOrder()).isEqualTo(manifest.programs());
    assertThat(manifest.startOrder())
        .extracting(ProgramSpec::name)
        .containsExactly("zeta", "alpha");
  }

  // ---- Kernel names ----

  @Test
  void kernelNamesMayBeRequiredWithoutAnExportingProgram() {
    ProgramSpec main =
        only(manifest(program("main", "main", "requires = [\"parigot.clock\", \"parigot.log\"]")));

    assertThat(main.requires()).containsExactly("parigot.clock", "parigot.log");
  }

  @Test
  void aProgramMayNotExportAKernelName() {
    assertThat(problems(program("main", "service", "exports = [\"parigot.log\"]")))
        .containsExactly(
            "app.toml:5: program 'main': exports: \"parigot.log\" is a kernel service name;"
                + " names under parigot. are the kernel's own");
  }

  // ---- The app ----

  @Test
  void syntaxErrorsAreReportedWithTheirLinesAndNothingElse() {
    assertThat(problems("app = \"a\"\nwasm = \n[program.main]\n"))
        .allMatch(p -> p.matches("app\\.toml:\\d+: TOML syntax error at column \\d+: .*"))
        .first()
        .asString()
        .startsWith("app.toml:2: TOML syntax error at column 8: Unexpected end of line");
  }

  @Test
  void anIntegerBeyondTomlsRangeIsASyntaxError() {
    assertThat(problems(program("main", "main", "replicas = 99999999999999999999")))
        .containsExactly("app.toml:5: TOML syntax error at column 12: Integer is too large");
  }

  @Test
  void theAppMustBeNamed() {
    assertThat(problems(table("main", "main")))
        .containsExactly("app.toml: app: missing; name the app, e.g. app = \"hello\"");
  }

  @Test
  void theAppsNameIsLowerCaseLettersDigitsAndDashes() {
    String rule =
        "must be 1 to 63 characters: a lower-case letter, then lower-case letters, digits or '-'";
    assertThat(problems("app = \"Hello_World\"\n" + table("main", "main")))
        .containsExactly("app.toml:1: app: " + rule + ", not \"Hello_World\"");
    assertThat(problems("app = \"" + "a".repeat(64) + "\"\n" + table("main", "main")))
        .containsExactly("app.toml:1: app: " + rule + ", not \"" + "a".repeat(64) + "\"");
    assertThat(problems("app = 7\n" + table("main", "main")))
        .containsExactly("app.toml:1: app: " + rule + ", not 7");
    assertThat(manifest("app = \"my-app-2\"\n" + table("main", "main")).app())
        .isEqualTo("my-app-2");
  }

  @Test
  void anAppHasAtLeastOneProgram() {
    assertThat(problems("app = \"a\"\n"))
        .containsExactly("app.toml: no programs; add a [program.NAME] table for each");
    assertThat(problems("app = \"a\"\n[program]\n"))
        .containsExactly("app.toml:2: no programs; add a [program.NAME] table for each");
  }

  @Test
  void programAndLimitsMustBeTables() {
    assertThat(problems("app = \"a\"\nprogram = 3\nlimits = [1]\n"))
        .containsExactly(
            "app.toml:2: program: must be a table of [program.NAME] tables, not 3",
            "app.toml:3: limits: must be a table of limits, not an array");
    assertThat(problems("app = \"a\"\n[program]\nmain = \"main.wasm\"\n"))
        .containsExactly(
            "app.toml:3: program.main: must be a table, like [program.main], not \"main.wasm\"");
  }

  @Test
  void unknownKeysAreErrorsListingTheKeysAllowedThere() {
    assertThat(
            problems(
                """
                app = "a"
                name = "a"
                [limits]
                memory = 3
                [program.main]
                wasm = "main.wasm"
                role = "main"
                export = ["a.A"]
                limits = { cpu_ms = 1 }
                """))
        .containsExactly(
            "app.toml:2: name: unknown key; the keys here are app, data_dir, limits, program,"
                + " http",
            "app.toml:4: limits.memory: unknown key; the keys here are memory_mib, cpu_slice_ms,"
                + " max_inflight, max_message_bytes, max_workers, call_timeout_ms",
            "app.toml:8: program 'main': export: unknown key; the keys here are wasm, role,"
                + " exports, requires, args, env, replicas, limits, files, http_allow",
            "app.toml:9: program 'main': limits.cpu_ms: unknown key; the keys here are"
                + " memory_mib, cpu_slice_ms, max_inflight, max_message_bytes, max_workers,"
                + " call_timeout_ms");
  }

  // ---- Files grants ----

  @Test
  void aFilesGrantIsADirectoryUnderTheDataDirsFilesFolder() {
    Manifest m =
        Manifest.parse(
            program("notes", "service", "files = \"notes/v1\"") + table("other", "main"),
            Path.of("apps/a/app.toml"));
    assertThat(m.files("notes")).contains(Path.of("apps/a/.parigot/a/files/notes/v1"));
    assertThat(m.files("other")).isEmpty();
    assertThat(m.files("nobody")).isEmpty();
  }

  @Test
  void aFilesGrantFollowsAConfiguredDataDir() {
    Manifest m =
        Manifest.parse(
            "app = \"a\"\ndata_dir = \"/srv/a\"\n" + table("notes", "service", "files = \"notes\""),
            Path.of("app.toml"));
    assertThat(m.files("notes")).contains(Path.of("/srv/a/files/notes"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''", "'/etc'", "'..'", "'a/../../b'", "'./a'", "'a//b'", "'a/'", "'.hidden'",
        "'a b'", "'a\\b'"
      })
  void aFilesGrantIsAPlainRelativePathThatCannotLeaveTheFilesFolder(String dir) {
    assertThat(problems(program("notes", "service", "files = \"" + dir + "\"")))
        .singleElement()
        .asString()
        .startsWith("app.toml:5: program 'notes': files: must be a relative directory path under"
            + " <data_dir>/files");
  }

  @Test
  void aFilesGrantIsAString() {
    assertThat(problems(program("notes", "service", "files = true")))
        .singleElement()
        .asString()
        .endsWith(", not true");
  }

  @Test
  void aFilesGrantOfAtMost255BytesIsAccepted() {
    String dir = "d".repeat(63) + "/" + "e".repeat(63) + "/" + "f".repeat(63) + "/" + "g".repeat(63);
    assertThat(dir).hasSize(255);
    assertThat(manifest(program("notes", "service", "files = \"" + dir + "\"")).files("notes"))
        .isPresent();
    assertThat(problems(program("notes", "service", "files = \"" + dir + "x\"")))
        .hasSize(1);
  }

  @Test
  void twoProgramsCannotShareOrNestTheirFiles() {
    assertThat(
            problems(
                program("a", "service", "files = \"shared\"")
                    + table("b", "service", "files = \"shared\"")
                    + table("c", "main", "files = \"shared/inner\"")
                    + table("d", "main", "files = \"shared-not\"")))
        .containsExactly(
            "app.toml:6: program 'b': files: its directory overlaps program 'a''s"
                + " (.parigot/a/files/shared and .parigot/a/files/shared); each program gets a"
                + " directory of its own",
            "app.toml:10: program 'c': files: its directory overlaps program 'a''s"
                + " (.parigot/a/files/shared/inner and .parigot/a/files/shared); each program gets"
                + " a directory of its own");
  }

  // ---- A program ----

  @Test
  void programNamesAreLowerCaseLettersDigitsUnderscoresAndDashes() {
    assertThat(problems("app = \"a\"\n" + table("Main", "main") + table("a.b", "main")))
        .containsExactly(
            "app.toml:2: program 'Main': the name must be 1 to 63 characters: a lower-case"
                + " letter, then lower-case letters, digits, '_' or '-'",
            "app.toml:5: program 'a.b': the name must be 1 to 63 characters: a lower-case"
                + " letter, then lower-case letters, digits, '_' or '-'");
    assertThat(manifest("app = \"a\"\n" + table("my_main-2", "main")).programs())
        .extracting(ProgramSpec::name)
        .containsExactly("my_main-2");
  }

  @Test
  void aProgramNamesItsModule() {
    assertThat(problems("app = \"a\"\n[program.main]\nrole = \"main\"\n"))
        .containsExactly("app.toml:2: program 'main': wasm: missing; e.g. wasm = \"main.wasm\"");
    assertThat(problems(program("main", "main").replace("\"main.wasm\"", "\"\"")))
        .containsExactly(
            "app.toml:3: program 'main': wasm: must be the path of a .wasm file, relative to the"
                + " manifest's directory, not \"\"");
    assertThat(problems(program("main", "main").replace("\"main.wasm\"", "[\"main.wasm\"]")))
        .containsExactly(
            "app.toml:3: program 'main': wasm: must be the path of a .wasm file, relative to the"
                + " manifest's directory, not an array");
  }

  @Test
  void aProgramHasARole() {
    assertThat(problems("app = \"a\"\n[program.main]\nwasm = \"main.wasm\"\n"))
        .containsExactly(
            "app.toml:2: program 'main': role: missing; one of \"main\", \"service\", \"test\"");
    assertThat(problems(program("main", "server")))
        .containsExactly(
            "app.toml:4: program 'main': role: must be one of \"main\", \"service\", \"test\","
                + " not \"server\"");
    assertThat(problems(program("main", "MAIN")))
        .containsExactly(
            "app.toml:4: program 'main': role: must be one of \"main\", \"service\", \"test\","
                + " not \"MAIN\"");
  }

  @Test
  void exportsAndRequiresAreArraysOfServiceNames() {
    assertThat(
            problems(
                program(
                    "main",
                    "main",
                    "exports = \"a.A\"",
                    "requires = [\"parigot.log\", 7, \"has space\", \"9lives\"]")))
        .containsExactly(
            "app.toml:5: program 'main': exports: must be an array of strings, not \"a.A\"",
            "app.toml:6: program 'main': requires[1]: must be a string, not 7",
            "app.toml:6: program 'main': requires: \"has space\" is not a service name (a letter,"
                + " then letters, digits, '.', '_' or '-', at most 255 bytes)",
            "app.toml:6: program 'main': requires: \"9lives\" is not a service name (a letter,"
                + " then letters, digits, '.', '_' or '-', at most 255 bytes)");
  }

  @Test
  void aServiceNameHasAtMost255Bytes() {
    String longest = "a".repeat(255);
    assertThat(only(manifest(program("s", "service", "exports = [\"" + longest + "\"]"))).exports())
        .containsExactly(longest);
    assertThat(problems(program("s", "service", "exports = [\"" + longest + "b\"]")))
        .singleElement()
        .asString()
        .startsWith("app.toml:5: program 's': exports: \"" + longest + "b\" is not a service name");
  }

  @Test
  void aNameIsListedOnce() {
    assertThat(
            problems(
                program(
                    "main",
                    "service",
                    "exports = [\"a.A\", \"a.A\"]",
                    "requires = [",
                    "  \"parigot.log\",  # the kernel's",
                    "",
                    "  \"parigot.log\",",
                    "]")))
        .containsExactly(
            "app.toml:5: program 'main': exports: \"a.A\" is listed twice",
            "app.toml:9: program 'main': requires: \"parigot.log\" is listed twice");
  }

  @Test
  void aNameHasOneExportingProgram() {
    assertThat(
            problems(
                "app = \"a\"\n"
                    + table("one", "service", "exports = [\"a.A\"]")
                    + table("two", "service", "exports = [\"b.B\", \"a.A\"]")))
        .containsExactly(
            "app.toml:9: program 'two': exports: \"a.A\" is already exported by program 'one';"
                + " a name has one exporting program");
  }

  @Test
  void aRequiredNameMustBeExportedByAProgram() {
    assertThat(
            problems(
                "app = \"a\"\n"
                    + table("greeter", "service", "exports = [\"hello.v1.Greeter\"]")
                    + table("main", "main", "requires = [\"hello.v1.Greter\"]")))
        .containsExactly(
            "app.toml:9: program 'main': requires: no program exports \"hello.v1.Greter\"");
  }

  @Test
  void aProgramDoesNotRequireItsOwnExport() {
    assertThat(
            problems(
                program("s", "service", "exports = [\"a.A\"]", "requires = [\"b.B\", \"a.A\"]")))
        .containsExactly(
            "app.toml:6: program 's': requires: \"a.A\" is this program's own export; a program"
                + " cannot require it",
            "app.toml:6: program 's': requires: no program exports \"b.B\"");
  }

  @Test
  void requiresMustNotFormACycle() {
    assertThat(
            problems(
                "app = \"a\"\n"
                    + table("main", "main", "requires = [\"a.A\"]")
                    + table("a", "service", "exports = [\"a.A\"]", "requires = [\"b.B\"]")
                    + table("b", "service", "exports = [\"b.B\"]", "requires = [\"c.C\"]")
                    + table("c", "service", "exports = [\"c.C\"]", "requires = [\"a.A\"]")))
        .containsExactly(
            "app.toml:6: program 'a': requires: cycle a -> b -> c -> a; a program starts after"
                + " those whose exports it requires, so none of these can start");
    assertThat(
            problems(
                "app = \"a\"\n"
                    + table("a", "service", "exports = [\"a.A\"]", "requires = [\"b.B\"]")
                    + table("b", "service", "exports = [\"b.B\"]", "requires = [\"a.A\"]")))
        .containsExactly(
            "app.toml:2: program 'a': requires: cycle a -> b -> a; a program starts after"
                + " those whose exports it requires, so none of these can start");
  }

  @Test
  void argsAreStringsWithoutNul() {
    assertThat(problems(program("main", "main", "args = [\"ok\", 1, \"nul\\u0000\"]")))
        .containsExactly(
            "app.toml:5: program 'main': args[1]: must be a string, not 1",
            "app.toml:5: program 'main': args: \"nul\\u0000\" contains NUL, which WASI strings"
                + " cannot hold");
    assertThat(problems(program("main", "main", "args = \"-v\"")))
        .containsExactly(
            "app.toml:5: program 'main': args: must be an array of strings, not \"-v\"");
  }

  @Test
  void envIsATableOfStringsNamedWithoutEquals() {
    assertThat(
            problems(
                program(
                    "main",
                    "main",
                    "[program.main.env]",
                    "\"\" = \"empty\"",
                    "\"A=B\" = \"c\"",
                    "COUNT = 3",
                    "OK = \"fine\"")))
        .containsExactly(
            "app.toml:6: program 'main': env.\"\": a variable name cannot be empty",
            "app.toml:7: program 'main': env.\"A=B\": a variable name cannot contain '='",
            "app.toml:8: program 'main': env.COUNT: must be a string, not 3");
    assertThat(problems(program("main", "main", "env = [\"A=B\"]")))
        .containsExactly(
            "app.toml:5: program 'main': env: must be a table of strings, like"
                + " env = { NAME = \"value\" }, not an array");
  }

  @Test
  void replicasAreFrom1To64() {
    String rule = "app.toml:5: program 's': replicas: must be an integer from 1 to 64, not ";
    assertThat(problems(program("s", "service", "replicas = 0"))).containsExactly(rule + "0");
    assertThat(problems(program("s", "service", "replicas = 65"))).containsExactly(rule + "65");
    assertThat(problems(program("s", "service", "replicas = 1.5"))).containsExactly(rule + "1.5");
    assertThat(problems(program("s", "service", "replicas = 5000000000")))
        .containsExactly(rule + "5000000000");
  }

  // ---- Limits ----

  @ParameterizedTest(name = "{0} from {1} to {2}")
  @CsvSource({
    "memory_mib,        1, 2047,     ' (MiB; a process''s memory is one Java array, under 2 GiB)'",
    "cpu_slice_ms,      1, 3600000,  ' (milliseconds, up to one hour)'",
    "max_inflight,      1, 65536,    ''",
    "max_message_bytes, 1, 67108864, ' (64 MiB)'",
    "max_workers,       0, 1024,     ''",
    "call_timeout_ms,   0, 86400000, ' (milliseconds, up to one day; 0 is no deadline)'",
  })
  void eachLimitHasARange(String key, long min, long max, String note) {
    String rule = "must be an integer from " + min + " to " + max + note;
    for (long ok : new long[] {min, max}) {
      manifest(program("main", "main", "limits." + key + " = " + ok));
    }
    assertThat(problems(program("main", "main", "limits." + key + " = " + (min - 1))))
        .containsExactly(
            "app.toml:5: program 'main': limits." + key + ": " + rule + ", not " + (min - 1));
    assertThat(
            problems(
                "app = \"a\"\n[limits]\n" + key + " = " + (max + 1) + "\n" + table("m", "main")))
        .containsExactly("app.toml:3: limits." + key + ": " + rule + ", not " + (max + 1));
    assertThat(problems(program("main", "main", "limits = { " + key + " = \"1\" }")))
        .containsExactly("app.toml:5: program 'main': limits." + key + ": " + rule + ", not \"1\"");
  }

  @Test
  void memoryMibBecomesSixteenWasmPagesEach() {
    ProgramSpec main = only(manifest(program("main", "main", "limits.memory_mib = 2047")));

    assertThat(main.limits().memoryPages()).isEqualTo(32752);
  }

  @Test
  void limitsHoldOnlyEnforceableValues() {
    assertThatThrownBy(() -> new Limits(0, 1000, 1024, 1 << 20, 16, 30_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memoryPages must be from 1 to 32752, not 0");
    assertThatThrownBy(() -> new Limits(1024, 1000, 1024, 1 << 20, 16, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("callTimeoutMillis must be from 0 to 86400000, not -1");
  }

  @Test
  void aProgramSpecIsImmutableAndKeepsTheEnvironmentsOrder() {
    var env = new LinkedHashMap<String, String>();
    env.put("Z", "1");
    env.put("A", "2");
    var args = new ArrayList<>(List.of("x"));
    var spec =
        new ProgramSpec(
            "p",
            Path.of("p.wasm"),
            Role.MAIN,
            List.of(),
            List.of(),
            List.of(),
            args,
            env,
            1,
            Limits.DEFAULTS);
    args.add("y");
    env.put("B", "3");

    assertThat(spec.args()).containsExactly("x");
    assertThat(spec.env()).containsExactly(Map.entry("Z", "1"), Map.entry("A", "2"));
    assertThatThrownBy(() -> spec.env().put("C", "4"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(
            () ->
                new ProgramSpec(
                    "p",
                    Path.of("p.wasm"),
                    Role.MAIN,
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    Map.of(),
                    0,
                    Limits.DEFAULTS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- How problems are reported ----

  @Test
  void everyProblemIsReportedAtOnceInLineOrder() {
    var e =
        catchThrowableOfType(
            ManifestException.class,
            () ->
                Manifest.parse(
                    """
                    [program.main]
                    wasm = "main.wasm"
                    role = "boss"
                    replicas = 0
                    [program.helper]
                    role = "service"
                    """,
                    FILE));

    assertThat(e.problems())
        .containsExactly(
            "app.toml: app: missing; name the app, e.g. app = \"hello\"",
            "app.toml:3: program 'main': role: must be one of \"main\", \"service\", \"test\","
                + " not \"boss\"",
            "app.toml:4: program 'main': replicas: must be an integer from 1 to 64, not 0",
            "app.toml:5: program 'helper': wasm: missing; e.g. wasm = \"helper.wasm\"");
    assertThat(e)
        .isInstanceOf(ParigotException.class)
        .hasMessage("app.toml: 4 problems\n  " + String.join("\n  ", e.problems()));
  }

  @Test
  void aSingleProblemIsCountedInTheSingular() {
    assertThatThrownBy(() -> Manifest.parse("app = \"a\"\n", FILE))
        .hasMessage(
            "app.toml: 1 problem\n  app.toml: no programs; add a [program.NAME] table for each");
  }

  @Test
  void aMissingFileIsAManifestProblemNamingIt() {
    Path missing = dir.resolve("nope.toml");

    var e = catchThrowableOfType(ManifestException.class, () -> Manifest.load(missing));

    assertThat(e.problems()).containsExactly(missing + ": cannot read: no such file");
    assertThat(e).hasMessageStartingWith(missing + ": 1 problem");
  }

  @Test
  void aDirectoryIsNotAManifest() {
    var e = catchThrowableOfType(ManifestException.class, () -> Manifest.load(dir));

    assertThat(e.problems()).singleElement().asString().startsWith(dir + ": cannot read: ");
  }

  @Test
  void aManifestIsUtf8Text() throws Exception {
    Path file = dir.resolve("latin1.toml");
    Files.writeString(file, "app = \"caf\u00e9\"\n", StandardCharsets.ISO_8859_1);

    var e = catchThrowableOfType(ManifestException.class, () -> Manifest.load(file));

    assertThat(e.problems()).containsExactly(file + ": cannot read: not UTF-8 text");
  }

  // ---- Helpers ----

  /** A manifest of app {@code a} with one program, its table starting on line 2. */
  // ---- The [http] table and http_allow ----

  /** An app whose "front" program exports shop.v1.Front, followed by {@code http}. */
  private static String httpApp(String http) {
    return program("front", "service", "exports = [\"shop.v1.Front\", \"shop.v1.Admin\"]")
        + http;
  }

  @Test
  void theHttpTableGivesTheAddressRoutesAndLimits() {
    Manifest m =
        manifest(
            httpApp(
                """
                [http]
                listen = "127.0.0.1:8080"
                max_header_bytes = 4096
                max_body_bytes = 1000
                timeout_ms = 250
                [[http.route]]
                prefix = "/api"
                service = "shop.v1.Front"
                [[http.route]]
                prefix = "/api/admin"
                service = "shop.v1.Admin"
                """));
    assertThat(m.http())
        .contains(
            new HttpSpec(
                "127.0.0.1",
                8080,
                List.of(
                    new HttpSpec.Route("/api", "shop.v1.Front"),
                    new HttpSpec.Route("/api/admin", "shop.v1.Admin")),
                4096,
                1000,
                250));
  }

  @Test
  void withoutAnHttpTableTheAppServesNoHttpAndHttpLimitsHaveDefaults() {
    assertThat(manifest(README_EXAMPLE).http()).isEmpty();
    HttpSpec http =
        manifest(
                httpApp(
                    """
                    [http]
                    listen = "[::1]:0"
                    [[http.route]]
                    prefix = "/"
                    service = "shop.v1.Front"
                    """))
            .http()
            .orElseThrow();
    assertThat(http.host()).isEqualTo("::1");
    assertThat(http.port()).isZero();
    assertThat(http.maxHeaderBytes()).isEqualTo(HttpSpec.DEFAULT_MAX_HEADER_BYTES);
    assertThat(http.maxBodyBytes()).isEqualTo(HttpSpec.DEFAULT_MAX_BODY_BYTES);
    assertThat(http.timeoutMillis()).isEqualTo(HttpSpec.DEFAULT_TIMEOUT_MILLIS);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1",
        "127.0.0.1:",
        ":8080",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:http",
        "::1:8080",
        "[example]:80",
        "exa mple:80",
        "-bad.host:80"
      })
  void aBadListenAddressIsRefused(String listen) {
    assertThat(
            problems(
                httpApp(
                    """
                    [http]
                    listen = "%s"
                    [[http.route]]
                    prefix = "/"
                    service = "shop.v1.Front"
                    """
                        .formatted(listen))))
        .singleElement(STRING)
        .contains("http.listen: must be \"HOST:PORT\"")
        .endsWith("not \"" + listen + "\"");
  }

  @Test
  void aRouteNeedsAPrefixAndAServiceThatAProgramOfTheAppExports() {
    assertThat(
            problems(
                httpApp(
                    """
                    [http]
                    listen = "localhost:80"
                    [[http.route]]
                    prefix = "/a"
                    service = "shop.v1.Nobody"
                    [[http.route]]
                    service = "shop.v1.Front"
                    [[http.route]]
                    prefix = "/c"
                    service = "parigot.kv.v1.KV"
                    """)))
        .containsExactly(
            "app.toml:10: http.route[0].service: no program exports \"shop.v1.Nobody\"; a route"
                + " goes to a service of this app",
            "app.toml:11: http.route[1].prefix: missing; a path like \"/api\"",
            "app.toml:15: http.route[2].service: no program exports \"parigot.kv.v1.KV\"; a"
                + " route goes to a service of this app");
  }

  @Test
  void aPrefixIsGivenOnceAndWithoutTrailingSlashOrDotSegments() {
    String bad =
        httpApp(
            """
            [http]
            listen = "localhost:80"
            [[http.route]]
            prefix = "/api"
            service = "shop.v1.Front"
            [[http.route]]
            prefix = "/api"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "/api/"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "/a/../b"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "api"
            service = "shop.v1.Admin"
            [[http.route]]
            prefix = "/a?b"
            service = "shop.v1.Admin"
            """);
    List<String> problems = problems(bad);
    assertThat(problems.get(0))
        .isEqualTo(
            "app.toml:12: http.route[1].prefix: \"/api\" is already the prefix of"
                + " http.route[0]; each prefix has one route");
    assertThat(problems.subList(1, problems.size()))
        .hasSize(4)
        .allSatisfy(p -> assertThat(p).contains("prefix: must be \"/\" or a path like"))
        .anySatisfy(p -> assertThat(p).endsWith("not \"/api/\""))
        .anySatisfy(p -> assertThat(p).endsWith("not \"/a/../b\""))
        .anySatisfy(p -> assertThat(p).endsWith("not \"api\""))
        .anySatisfy(p -> assertThat(p).endsWith("not \"/a?b\""));
  }

  @Test
  void theHttpTableNeedsAnAddressAndARouteAndKnowsItsKeys() {
    assertThat(problems(httpApp("[http]\nport = 80\n")))
        .containsExactly(
            "app.toml: http.route: missing; add a [[http.route]] with a prefix and a service",
            "app.toml:6: http.listen: missing; e.g. listen = \"127.0.0.1:8080\"",
            "app.toml:7: http.port: unknown key; the keys here are listen, route,"
                + " max_header_bytes, max_body_bytes, timeout_ms");
  }

  @Test
  void aLongerPrefixMatchesOnlyAtASegmentBoundary() {
    var api = new HttpSpec.Route("/api", "x");
    assertThat(api.matches("/api")).isTrue();
    assertThat(api.matches("/api/items")).isTrue();
    assertThat(api.matches("/apix")).isFalse();
    assertThat(api.matches("/ap")).isFalse();
    assertThat(new HttpSpec.Route("/", "x").matches("/anything")).isTrue();
  }

  @Test
  void httpAllowListsHostsAndPortsPerProgram() {
    Manifest m =
        manifest(
            program(
                "main",
                "main",
                "requires = [\"parigot.http.v1.Client\"]",
                "http_allow = [\"Example.Internal:8080\", \"127.0.0.1:*\", \"[::1]:80\"]"));
    assertThat(m.httpAllow("main"))
        .containsExactly("example.internal:8080", "127.0.0.1:*", "[::1]:80");
    assertThat(m.httpAllow("other")).isEmpty();
  }

  @Test
  void aBadHttpAllowEntryIsRefused() {
    assertThat(problems(program("main", "main", "http_allow = [\"example.internal\", \"*:80\"]")))
        .hasSize(2)
        .allSatisfy(
            p -> assertThat(p).startsWith("app.toml:5: program 'main': http_allow: must be"));
  }

  private static String program(String name, String role, String... lines) {
    return "app = \"a\"\n" + table(name, role, lines);
  }

  /** A {@code [program.NAME]} table: header, wasm, role, then {@code lines}. */
  private static String table(String name, String role, String... lines) {
    var toml =
        new StringBuilder("[program.\"")
            .append(name)
            .append("\"]\nwasm = \"")
            .append(name)
            .append(".wasm\"\nrole = \"")
            .append(role)
            .append("\"\n");
    for (String line : lines) {
      toml.append(line).append('\n');
    }
    return toml.toString();
  }

  private static Manifest manifest(String toml) {
    return Manifest.parse(toml, FILE);
  }

  private static ProgramSpec only(Manifest manifest) {
    assertThat(manifest.programs()).hasSize(1);
    return manifest.programs().getFirst();
  }

  private static List<String> problems(String toml) {
    return catchThrowableOfType(ManifestException.class, () -> manifest(toml)).problems();
  }
}
