package dev.parigot.kernel;

import static dev.parigot.kernel.testing.ManifestToml.program;
import static dev.parigot.kernel.testing.ManifestToml.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a manifest may say, what it means, and how each mistake in it is reported. */
class ManifestTest {
  private static final Path FILE = Path.of("app.toml");

  /** The kernel's own section's program keys, listed after the test section's. */
  private static final String SUPERVISION_KEYS =
      " restart, restart_delay_ms, restart_max_delay_ms, max_restarts, restart_window_ms,"
          + " drain_timeout_ms";

  /** The example of the README's section "The manifest", verbatim. */
  private static final String README_EXAMPLE =
      """
      app = "hello"                       # [a-z][a-z0-9-]*

      [limits]                            # optional defaults for every program
      memory_mib = 64                     # memory.grow beyond this returns -1
      cpu_slice_ms = 1000                 # CPU time of a turn while others wait to run
      max_inflight = 1024                 # open outgoing calls
      max_message_bytes = 1048576         # largest request, reply or message
      max_workers = 16                    # live workers per process
      call_timeout_ms = 30000             # default call deadline (0 = none)
      cpu_ms = 0                          # CPU time a process may use (0 = no limit)

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
                new Limits(16 * 16, 1000, 1024, 1048576, 16, 30000, 0, 0, 1024)),
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
        .isEqualTo(new Limits(1024, 1000, 1024, 1 << 20, 16, 30_000, 0, 0, 1024))
        .extracting(Limits::memoryPages)
        .isEqualTo(64 * 16);
  }

  @Test
  void onlyWasmAndRoleAreRequiredOfAProgram() {
    ProgramSpec main = only(manifest(program("main", "main")));

    assertThat(main.exports()).isEmpty();
    assertThat(main.requires()).isEmpty();
    assertThat(main.imports()).isEmpty();
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
        .isEqualTo(new Limits(32 * 16, 500, 1024, 1 << 20, 16, 30_000, 0, 0, 1024));
    assertThat(manifest.program("overrides").orElseThrow().limits())
        .isEqualTo(new Limits(32 * 16, 20, 8, 4096, 0, 0, 0, 0, 1024));
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

    assertThat(main.limits()).isEqualTo(new Limits(16, 1000, 1024, 1 << 20, 4, 5, 0, 0, 1024));
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

  // ---- Imports ----

  @Test
  void anImportedNameMayBeRequiredWithoutAnExporterAndImposesNoStartOrder() {
    Manifest manifest =
        manifest(
            """
            app = "a"
            [program.main]
            wasm = "main.wasm"
            role = "main"
            requires = ["pay.v1.Ledger", "a.v1.A"]
            imports = ["pay.v1.Ledger"]
            [program.a]
            wasm = "a.wasm"
            role = "service"
            exports = ["a.v1.A"]
            requires = ["pay.v1.Rates"]
            imports = ["pay.v1.Rates"]
            [program.tool]
            wasm = "tool.wasm"
            role = "main"
            """);

    assertThat(manifest.program("main").orElseThrow().imports()).containsExactly("pay.v1.Ledger");
    assertThat(manifest.program("a").orElseThrow().imports()).containsExactly("pay.v1.Rates");
    assertThat(manifest.program("tool").orElseThrow().imports()).isEmpty();
    assertThat(manifest.exporterOf("pay.v1.Ledger")).isEmpty();
    assertThat(manifest.startOrder())
        .extracting(ProgramSpec::name)
        .containsExactly("a", "main", "tool");
  }

  @Test
  void anImportServesOnlyTheProgramThatListsIt() {
    assertThat(
            problems(
                "app = \"a\"\n"
                    + table("one", "main", "requires = [\"x.v1.X\"]", "imports = [\"x.v1.X\"]")
                    + table("two", "main", "requires = [\"x.v1.X\"]")))
        .containsExactly(
            "app.toml:10: program 'two': requires: no program exports \"x.v1.X\"; a name served"
                + " outside the app must be in this program's imports");
  }

  @Test
  void importsAreAnArrayOfServiceNamesEachListedOnce() {
    assertThat(
            problems(
                program(
                    "main",
                    "main",
                    "requires = [\"x.v1.X\"]",
                    "imports = [\"x.v1.X\", 3, \"not a name\", \"x.v1.X\"]")))
        .containsExactly(
            "app.toml:6: program 'main': imports[1]: must be a string, not 3",
            "app.toml:6: program 'main': imports: \"not a name\" is not a service name (a letter,"
                + " then letters, digits, '.', '_' or '-', at most 255 bytes)",
            "app.toml:6: program 'main': imports: \"x.v1.X\" is listed twice");
    assertThat(problems(program("main", "main", "imports = \"x.v1.X\"")))
        .containsExactly(
            "app.toml:5: program 'main': imports: must be an array of strings, not \"x.v1.X\"");
  }

  @Test
  void aNameOfThisAppIsNotImported() {
    assertThat(
            problems(
                "app = \"a\"\n"
                    + table("a", "service", "exports = [\"a.v1.A\"]")
                    + table(
                        "main",
                        "main",
                        "requires = [\"a.v1.A\"]",
                        "imports = [",
                        "  \"a.v1.A\",",
                        "]")))
        .containsExactly(
            "app.toml:11: program 'main': imports: \"a.v1.A\" is exported by program 'a' of this"
                + " app; imports are names served outside the app");
    assertThat(
            problems(program("s", "service", "exports = [\"s.v1.S\"]", "imports = [\"s.v1.S\"]")))
        .containsExactly(
            "app.toml:6: program 's': imports: \"s.v1.S\" is exported by program 's' of this"
                + " app; imports are names served outside the app");
  }

  @Test
  void aKernelNameIsNotImported() {
    assertThat(
            problems(
                program(
                    "main",
                    "main",
                    "requires = [\"parigot.log.v1.Log\"]",
                    "imports = [\"parigot.log.v1.Log\"]")))
        .containsExactly(
            "app.toml:6: program 'main': imports: \"parigot.log.v1.Log\" is a kernel service"
                + " name; those are required without an import");
  }

  @Test
  void anImportIsANameTheProgramRequires() {
    assertThat(problems(program("main", "main", "imports = [\"x.v1.X\"]")))
        .containsExactly(
            "app.toml:5: program 'main': imports: \"x.v1.X\" is not in this program's requires;"
                + " a program imports only names it calls");
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
                limits = { cpu_time = 1 }
                """))
        .containsExactly(
            "app.toml:2: name: unknown key; the keys here are app, data_dir, limits, program,"
                + " banner",
            "app.toml:4: limits.memory: unknown key; the keys here are memory_mib, cpu_slice_ms,"
                + " max_inflight, max_message_bytes, max_workers, call_timeout_ms, cpu_ms,"
                + " budget_mib, max_processes",
            "app.toml:8: program 'main': export: unknown key; the keys here are wasm, role,"
                + " exports, requires, imports, args, env, replicas, limits, banner_color,"
                + SUPERVISION_KEYS
                + ", wasi",
            "app.toml:9: program 'main': limits.cpu_time: unknown key; the keys here are"
                + " memory_mib, cpu_slice_ms, max_inflight, max_message_bytes, max_workers,"
                + " call_timeout_ms, cpu_ms, budget_mib, max_processes");
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
            "app.toml:9: program 'main': requires: no program exports \"hello.v1.Greter\"; a"
                + " name served outside the app must be in this program's imports");
  }

  @Test
  void aProgramDoesNotRequireItsOwnExport() {
    assertThat(
            problems(
                program("s", "service", "exports = [\"a.A\"]", "requires = [\"b.B\", \"a.A\"]")))
        .containsExactly(
            "app.toml:6: program 's': requires: \"a.A\" is this program's own export; a program"
                + " cannot require it",
            "app.toml:6: program 's': requires: no program exports \"b.B\"; a name served"
                + " outside the app must be in this program's imports");
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
    "cpu_ms,            0, 2592000000, ' (milliseconds of CPU time, up to 30 days; 0 is no limit)'",
    "budget_mib,        0, 1048576,  ' (MiB; 0 is no cap of its own)'",
    "max_processes,     1, 65536,    ''",
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
  void theAppsBudgetAndProcessesAreItsTotalsAndEachProgramsDefault() {
    Manifest manifest =
        manifest(
            """
            app = "a"
            [limits]
            budget_mib = 512
            max_processes = 40
            [program.inherits]
            wasm = "i.wasm"
            role = "main"
            [program.share]
            wasm = "s.wasm"
            role = "service"
            limits = { budget_mib = 64, max_processes = 8 }
            """);

    assertThat(manifest.limits().budgetMib()).isEqualTo(512);
    assertThat(manifest.limits().maxProcesses()).isEqualTo(40);
    assertThat(manifest.program("inherits").orElseThrow().limits().budgetMib()).isEqualTo(512);
    assertThat(manifest.program("share").orElseThrow().limits().budgetMib()).isEqualTo(64);
    assertThat(manifest.program("share").orElseThrow().limits().maxProcesses()).isEqualTo(8);
    assertThat(manifest(program("main", "main")).limits()).isEqualTo(Limits.DEFAULTS);
  }

  @Test
  void replicasMustFitTheProgramsAndTheAppsMaxProcesses() {
    assertThat(
            problems(
                """
                app = "a"
                [limits]
                max_processes = 5
                [program.one]
                wasm = "one.wasm"
                role = "service"
                replicas = 3
                limits = { max_processes = 2 }
                [program.two]
                wasm = "two.wasm"
                role = "service"
                replicas = 3
                """))
        .containsExactly(
            "app.toml: limits.max_processes: the programs' 6 replicas in all are more processes"
                + " than the app's max_processes of 5",
            "app.toml:4: program 'one': replicas: 3 are more processes than its max_processes"
                + " of 2");
  }

  @Test
  void limitsHoldOnlyEnforceableValues() {
    assertThatThrownBy(() -> new Limits(0, 1000, 1024, 1 << 20, 16, 30_000, 0, 0, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memoryPages must be from 1 to 32752, not 0");
    assertThatThrownBy(() -> new Limits(1024, 1000, 1024, 1 << 20, 16, -1, 0, 0, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("callTimeoutMillis must be from 0 to 86400000, not -1");
  }

  @Test
  void equalProgramSpecsHashAlikeAndSpecsThatDifferInAnyComponentAreUnequal() {
    var spec = spec("p", Path.of("p.wasm"), List.of("a"), Limits.DEFAULTS);
    var same = spec("p", Path.of("p.wasm"), List.of("a"), Limits.DEFAULTS);
    var otherArgs = spec("p", Path.of("p.wasm"), List.of("b"), Limits.DEFAULTS);
    var otherLimits =
        spec("p", Path.of("p.wasm"), List.of("a"), new Limits(1, 1, 1, 1, 1, 0, 0, 0, 1));

    assertThat(same).isEqualTo(spec).hasSameHashCodeAs(spec);
    assertThat(List.of(otherArgs, otherLimits))
        .allSatisfy(other -> assertThat(other).isNotEqualTo(spec));
    assertThat(spec("q", Path.of("p.wasm"), List.of("a"), Limits.DEFAULTS).hashCode())
        .isNotEqualTo(spec.hashCode());
  }

  private static ProgramSpec spec(String name, Path wasm, List<String> args, Limits limits) {
    return new ProgramSpec(
        name, wasm, Role.MAIN, List.of(), List.of(), List.of(), args, Map.of(), 1, limits);
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
    assertThatThrownBy(() ->
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

  // ---- Bounds on the text ----

  private static final String HELLO =
      "app = \"hello\"\n[program.main]\nwasm = \"main.wasm\"\nrole = \"main\"\n";
  private static final String TOO_DEEP =
      "arrays and tables nest more than 32 deep; a manifest may nest at most 32";

  @Test
  void aManifestFileOfOneMibIsReadButOneByteMoreIsRefusedBeforeParsing() throws Exception {
    Path file = dir.resolve("app.toml");
    String padding = "#" + "x".repeat(ManifestText.MAX_BYTES - HELLO.length() - 2) + "\n";
    Files.writeString(file, HELLO + padding);
    assertThat(Files.size(file)).isEqualTo(1 << 20);
    assertThat(Manifest.load(file).app()).isEqualTo("hello");

    Files.writeString(file, HELLO + padding + " ");
    var e = catchThrowableOfType(ManifestException.class, () -> Manifest.load(file));

    assertThat(e.problems())
        .containsExactly(
            file + ": more than 1048576 bytes; a manifest may be at most 1048576 (1 MiB)");
  }

  @Test
  void aMessageShowsTheFirstFiftyProblemsAndCountsTheRestWhichProblemsListsAll() {
    var text = new StringBuilder(HELLO);
    for (int i = 0; i < 20_000; i++) {
      text.append("unknown").append(i).append(" = 1\n");
    }

    var e = catchThrowableOfType(ManifestException.class, () -> manifest(text.toString()));

    assertThat(e.problems()).hasSize(20_000);
    assertThat(e.getMessage().lines())
        .hasSize(52)
        .startsWith("app.toml: 20000 problems")
        .endsWith("  and 19950 more");
  }

  @Test
  void aManifestTextIsMeasuredInBytesOfUtf8() {
    // 524,328 characters, 1,048,588 bytes.
    String big = HELLO + "args = [\"" + "\u00e9".repeat(524_260) + "\"]\n";
    assertThat(big).hasSizeLessThan(ManifestText.MAX_BYTES / 2 + 100);

    assertThat(problems(big))
        .containsExactly(
            "app.toml: more than 1048576 bytes; a manifest may be at most 1048576 (1 MiB)");
  }

  @Test
  void arraysNestedTwoHundredThousandDeepAreRefusedAtTheirLineWithoutParsing() {
    String deep = HELLO + "args = " + "[".repeat(200_000) + "]".repeat(200_000) + "\n";

    assertThat(problems(deep)).containsExactly("app.toml:5: " + TOO_DEEP);
  }

  @Test
  void inlineTablesMayNestThirtyTwoDeepButNotThirtyThree() {
    String ok = "x = " + "{ a = ".repeat(31) + "{}" + " }".repeat(31) + "\n";
    String tooDeep = "x = " + "{ a = ".repeat(32) + "{}" + " }".repeat(32) + "\n";

    assertThat(problems(HELLO + ok)).doesNotContain("app.toml:5: " + TOO_DEEP);
    assertThat(problems(HELLO + tooDeep)).containsExactly("app.toml:5: " + TOO_DEEP);
  }

  @Test
  void dottedKeysNestTablesAndAreBoundedToo() {
    String dotted = "k" + ".k".repeat(200_000) + " = 1\n";

    assertThat(problems(HELLO + dotted)).containsExactly("app.toml: " + TOO_DEEP);
  }

  @Test
  void bracketsInStringsAndCommentsDoNotCountAsNesting() {
    String text =
        HELLO
            + "args = [\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\", '{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{',"
            + " \"\"\"\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\"\"\"\"]"
            + " # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n";

    assertThat(only(manifest(text)).args()).hasSize(3);
  }

  @Test
  void anUnclosedMultiLineStringHidesNoDeepArrayFromTheBound() {
    String text = HELLO + "v = \"\"\"\n" + "[".repeat(200_000) + "\n";

    assertThat(problems(text)).isNotEmpty();
  }

  // ---- Manifest sections ----

  @Test
  void aSectionFoundByTheServiceLoaderReadsItsTableAndItsProgramKeys() {
    Manifest m =
        manifest(
            program("main", "main", "banner_color = \"green\"")
                + table("other", "service")
                + "[banner]\ntext = \"hi\"\nwidth = 40\nshown_by = \"other\"\n");

    assertThat(m.section(BannerSection.KEY))
        .contains(new BannerSection.Banner("hi", 40, Map.of("main", "green")));
    assertThat(manifest(program("main", "main")).section(BannerSection.KEY)).isEmpty();
  }

  @Test
  void aValueIsFetchedOnlyWithTheKeyOfTheSectionThatReadIt() {
    Manifest m = manifest(program("main", "main") + "[banner]\ntext = \"hi\"\n");

    assertThat(m.section(BannerSection.KEY)).isPresent();
    assertThat(m.section(SectionKey.of("banner"))).isEmpty();
  }

  @Test
  void aSectionsProblemsAreNamedPlacedAndSortedAsTheKernelsOwn() {
    assertThat(
            problems(
                program("main", "boss", "banner_color = \"blue\"")
                    + "[banner]\nwidth = 0\ncolour = \"red\"\nshown_by = \"ghost\"\n"))
        .containsExactly(
            "app.toml:4: program 'main': role: must be one of \"main\", \"service\", \"test\","
                + " not \"boss\"",
            "app.toml:5: program 'main': banner_color: must be \"red\" or \"green\", not \"blue\"",
            "app.toml:6: banner.text: missing; the banner's text",
            "app.toml:7: banner.width: must be an integer from 1 to 200 (columns), not 0",
            "app.toml:8: banner.colour: unknown key; the keys here are text, width, shown_by",
            "app.toml:9: banner.shown_by: no program \"ghost\"");
    assertThat(problems("app = \"a\"\nbanner = 3\n" + table("main", "main")))
        .containsExactly("app.toml:2: banner: must be a table, like [banner], not 3");
  }

  @Test
  void aTableOrKeyThatNoSectionClaimsIsUnknownAndNamed() {
    // The services module, which defines these, is not on the kernel's class path.
    assertThat(
            problems(
                program("main", "main", "files = \"notes\"", "http_allow = [\"a:1\"]")
                    + "[http]\nlisten = \"127.0.0.1:8080\"\n"))
        .containsExactly(
            "app.toml:5: program 'main': files: unknown key; the keys here are wasm, role,"
                + " exports, requires, imports, args, env, replicas, limits, banner_color,"
                + SUPERVISION_KEYS
                + ", wasi",
            "app.toml:6: program 'main': http_allow: unknown key; the keys here are wasm, role,"
                + " exports, requires, imports, args, env, replicas, limits, banner_color,"
                + SUPERVISION_KEYS
                + ", wasi",
            "app.toml:7: http: unknown key; the keys here are app, data_dir, limits, program,"
                + " banner");
  }

  @Test
  void withoutSectionsOnlyTheKernelsKeysAreKnown() {
    Sections none = Sections.of(List.of());

    assertThat(none.topKeys()).containsExactly("app", "data_dir", "limits", "program");
    var e =
        catchThrowableOfType(
            ManifestException.class,
            () ->
                Manifest.parse(program("main", "main") + "[banner]\ntext = \"hi\"\n", FILE, none));
    assertThat(e.problems())
        .containsExactly(
            "app.toml:5: banner: unknown key; the keys here are app, data_dir, limits, program");
  }

  @Test
  void sectionsListTheirKeysInTheOrderOfTheirNames() {
    Sections sections =
        Sections.of(List.of(section("zeta", List.of("z"), List.of("z_key")), new BannerSection()));

    assertThat(sections.sections())
        .extracting(s -> s.key().name())
        .containsExactly("banner", "zeta");
    assertThat(sections.topKeys()).endsWith("limits", "program", "banner", "z");
    assertThat(sections.programKeys()).endsWith("limits", "banner_color", "z_key");
  }

  @Test
  void aKeyIsClaimedOnce() {
    assertThatThrownBy(() -> Sections.of(List.of(section("mine", List.of("limits"), List.of()))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("manifest section 'mine' claims key limits of the kernel");
    assertThatThrownBy(() -> Sections.of(List.of(section("mine", List.of(), List.of("imports")))))
        .hasMessage("manifest section 'mine' claims key program.imports of the kernel");
    assertThatThrownBy(() ->
            Sections.of(
                List.of(new BannerSection(), section("other", List.of("banner"), List.of()))))
        .hasMessage("manifest section 'other' claims key banner of manifest section 'banner'");
    assertThatThrownBy(() ->
            Sections.of(List.of(new BannerSection(), section("banner", List.of("b"), List.of()))))
        .hasMessageContaining("are both named 'banner'");
    assertThatThrownBy(() -> Sections.of(List.of(section("idle", List.of(), List.of()))))
        .hasMessage("manifest section 'idle' claims no key");
  }

  @Test
  void aSectionReadsOnlyTheKeysItClaims() {
    ManifestSection<String> nosy =
        new ManifestSection<>() {
          private final SectionKey<String> key = SectionKey.of("nosy");

          @Override
          public SectionKey<String> key() {
            return key;
          }

          @Override
          public List<String> programKeys() {
            return List.of("nosy");
          }

          @Override
          public Optional<String> read(SectionContext manifest) {
            return manifest.program(manifest.programs().getFirst()).string("wasm", "a path");
          }
        };

    assertThatThrownBy(
            () -> Manifest.parse(program("main", "main"), FILE, Sections.of(List.of(nosy))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("manifest section 'nosy' did not claim key wasm");
  }

  @Test
  void aSectionKeyIsNamedLikeATomlKey() {
    assertThat(SectionKey.of("http_allow").name()).isEqualTo("http_allow");
    assertThatThrownBy(() -> SectionKey.of("Http"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a section name: \"Http\"");
    assertThatThrownBy(() -> SectionKey.of("")).isInstanceOf(IllegalArgumentException.class);
  }

  /** A section that claims keys and reads nothing. */
  private static ManifestSection<String> section(
      String name, List<String> tables, List<String> keys) {
    SectionKey<String> key = SectionKey.of(name);
    return new ManifestSection<>() {
      @Override
      public SectionKey<String> key() {
        return key;
      }

      @Override
      public List<String> tables() {
        return tables;
      }

      @Override
      public List<String> programKeys() {
        return keys;
      }

      @Override
      public Optional<String> read(SectionContext manifest) {
        return Optional.empty();
      }
    };
  }

  // ---- Helpers ----

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
