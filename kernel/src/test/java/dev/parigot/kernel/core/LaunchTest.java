package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.DeniedException;
import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.errors.ParigotException;
import dev.parigot.errors.StartFailedException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.conformance.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What launching an app does with its programs: entries, memory caps, exit codes and output. */
class LaunchTest {
  @TempDir Path dir;

  @Test
  void aMainsExitCodeIsTheAppsExitCode() throws Exception {
    try (var app = TestApp.single(dir, "exit-code", "")) {
      assertThat(app.exitCode()).isEqualTo(42);
    }
  }

  @Test
  void wasiOutputReachesTheKernelTaggedWithTheProcess() throws Exception {
    try (var app = TestApp.single(dir, "wasi-hello", "")) {
      assertThat(app.exitCode()).isZero();
      assertThat(app.lines())
          .anySatisfy(l -> assertThat(l).matches("main\\[\\d+\\] hello from wasi"))
          .anySatisfy(l -> assertThat(l).matches("main\\[\\d+\\] oops"));
    }
  }

  @Test
  void refusesAProgramWithoutStart() {
    assertThatThrownBy(() -> TestApp.single(dir, "no-start", ""))
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessageContaining("no-start.wasm: exports no _start function of type () -> ()")
        .hasMessageContaining("program 'main' must be built as a WASI command");
  }

  @Test
  void refusesAModuleWhoseInitialMemoryExceedsTheProgramsCap() {
    assertThatThrownBy(() -> TestApp.single(dir, "big-memory", "limits = { memory_mib = 1 }"))
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessageContaining("needs 32 memory pages at start but program 'main' may have 16");
  }

  @Test
  void refusesAModuleFileOverTheSizeLimitWithoutReadingIt() throws Exception {
    // Sparse: 300 MiB long, no disk used; read whole it would be 300 MiB of heap.
    try (var file = new java.io.RandomAccessFile(dir.resolve("huge.wasm").toFile(), "rw")) {
      file.setLength(300L << 20);
    }
    assertThatThrownBy(() ->
            TestApp.launch(
                dir,
                """
                app = "test"
                [program.main]
                wasm = "huge.wasm"
                role = "main"
                """))
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessageContaining("huge.wasm")
        .hasMessageContaining("314572800 bytes")
        .hasMessageContaining("at most 268435456 bytes (256 MiB)");
  }

  @Test
  void refusesAProgramThatRequiresAKernelServiceThisKernelDoesNotServe() {
    assertThatThrownBy(() ->
            TestApp.launch(
                dir,
                """
                app = "test"
                [program.main]
                wasm = "exit-code.wasm"
                role = "main"
                requires = ["parigot.kv.v1.KV"]
                """,
                "exit-code"))
        .isInstanceOf(ParigotException.class)
        .hasMessage("program 'main' requires parigot.kv.v1.KV, which this kernel does not serve");
  }

  @Test
  void aJavaServiceSeesWhichAppProgramAndProcessCalls() throws Exception {
    // conf-script: argv[1] is its report id, then "l NAME" locates NAME and reports the result.
    try (var app =
        TestApp.launch(
            dir,
            """
            app = "callers"
            [program.asker]
            wasm = "conf-script.wasm"
            role = "main"
            requires = ["%s"]
            args = ["1", "l %s"]
            """
                .formatted(Probe.NAME, Probe.NAME),
            "conf-script")) {
      var report = app.probe.next();
      long pid = app.processes().getFirst().pid();
      assertThat(report.caller()).isEqualTo(new Caller("callers", "asker", pid));
      assertThat(report.caller().process()).isEqualTo("asker[" + pid + "]");
    }
  }

  /** Tests, one service they need, one they do not and a main; see {@link #launchTests}. */
  private static final String WITH_TESTS =
      """
      app = "tested"
      [program.echo]
      wasm = "echo.wasm"
      role = "service"
      exports = ["test.v1.Echo"]
      [program.unrelated]
      wasm = "wasi-hello.wasm"
      role = "service"
      [program.main]
      wasm = "wasi-hello.wasm"
      role = "main"
      [program.pinger]
      wasm = "ping.wasm"
      role = "test"
      requires = ["test.v1.Echo"]
      args = ["1"]
      [program.failing]
      wasm = "exit-code.wasm"
      role = "test"
      """;

  /** Runs {@link #WITH_TESTS} with {@code launch}; returns "process code" endings and lines. */
  private List<String> launchWithTests(boolean tests, int expectedCode) throws Exception {
    for (String module : List.of("echo", "wasi-hello", "ping", "exit-code")) {
      Files.write(dir.resolve(module + ".wasm"), TestApp.corpus(module));
    }
    Files.writeString(dir.resolve("app.toml"), WITH_TESTS);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Kernel kernel =
        Kernel.builder()
            .output(
                new Kernel.Output() {
                  @Override
                  public void line(String process, boolean stderr, String line) {
                    seen.add(process + " " + line);
                  }

                  @Override
                  public void ended(String process, int code, Optional<String> reason) {
                    seen.add(process + " " + code);
                  }
                })
            .build()) {
      Manifest manifest = Manifest.load(dir.resolve("app.toml"));
      App app = tests ? kernel.launchTests(manifest) : kernel.launch(manifest);
      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(expectedCode);
      if (!tests) {
        // unrelated is no main, so the app does not wait for it; closing now could kill it
        // before it printed. It ends by itself.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.stream().noneMatch(l -> l.matches("unrelated\\[\\d+\\] -?\\d+"))) {
          assertThat(System.nanoTime()).as("unrelated ended within 30 s").isLessThan(deadline);
          Thread.sleep(10);
        }
      }
    }
    return seen.stream().map(l -> l.replaceAll("\\[\\d+\\]", "")).toList();
  }

  @Test
  void launchTestsStartsTheTestsAndWhatTheyRequireOnlyAndWaitsForTheTests() throws Exception {
    List<String> seen = launchWithTests(true, 42);
    // pinger exits 0 only if all its calls to echo were answered.
    assertThat(seen).contains("pinger 0", "failing 42");
    assertThat(seen).noneMatch(l -> l.startsWith("main") || l.startsWith("unrelated"));
  }

  @Test
  void launchStillLeavesTheTestsAlone() throws Exception {
    List<String> seen = launchWithTests(false, 0);
    assertThat(seen).contains("main hello from wasi", "unrelated hello from wasi");
    assertThat(seen).noneMatch(l -> l.startsWith("pinger") || l.startsWith("failing"));
  }

  @Test
  void aProgramThatEndsAsSoonAsItServesItsExportsHasStarted() throws Exception {
    // Whether it ends before the launch looks at it is a race: run it a few times.
    for (int round = 0; round < 10; round++) {
      Path appDir = Files.createDirectories(dir.resolve("round" + round));
      try (var app =
          TestApp.launch(
              appDir,
              """
              app = "once"
              [program.main]
              wasm = "serve-once.wasm"
              role = "main"
              exports = ["test.v1.Echo"]
              """,
              "serve-once")) {
        assertThat(app.exitCode()).isEqualTo(7);
      }
    }
  }

  @Test
  void aProgramThatEndsBeforeServingItsExportsFailsTheLaunch() {
    assertThatThrownBy(() -> TestApp.single(dir, "exit-code", "exports = [\"test.v1.Echo\"]"))
        .isInstanceOf(StartFailedException.class)
        .hasMessage("program 'main' ended while starting: exited with code 42");
  }

  @Test
  void anImportThatNeverComesFailsTheLaunchNamingItAndStopsWhatHadStarted() throws Exception {
    Files.write(dir.resolve("echo.wasm"), TestApp.corpus("echo"));
    Files.write(dir.resolve("exit-code.wasm"), TestApp.corpus("exit-code"));
    Files.writeString(
        dir.resolve("app.toml"),
        """
        app = "waiting"
        [program.echo]
        wasm = "echo.wasm"
        role = "service"
        exports = ["test.v1.Echo"]
        [program.main]
        wasm = "exit-code.wasm"
        role = "main"
        requires = ["test.v1.Echo", "far.v1.Away"]
        imports = ["far.v1.Away"]
        """);
    var echoEnded = new java.util.concurrent.CountDownLatch(1);
    Kernel.Output output =
        new Kernel.Output() {
          @Override
          public void line(String process, boolean stderr, String line) {}

          @Override
          public void ended(String process, int code, Optional<String> reason) {
            if (process.startsWith("echo[")) {
              echoEnded.countDown();
            }
          }
        };
    try (Kernel kernel =
        Kernel.builder().output(output).startTimeout(Duration.ofMillis(200)).build()) {
      assertThatThrownBy(() -> kernel.launch(Manifest.load(dir.resolve("app.toml"))))
          .isInstanceOf(DeniedException.class)
          .hasMessage("program 'main' imports far.v1.Away, which nothing served within 200 ms");
      assertThat(kernel.services().lookup("test.v1.Echo"))
          .as("the app's names withdrawn")
          .isEmpty();
      assertThat(echoEnded.await(30, java.util.concurrent.TimeUnit.SECONDS))
          .as("the started echo was stopped")
          .isTrue();
    }
  }

  @Test
  void launchTestsRefusesAManifestWithoutTests() throws Exception {
    Files.write(dir.resolve("exit-code.wasm"), TestApp.corpus("exit-code"));
    Files.writeString(
        dir.resolve("app.toml"),
        """
        app = "untested"
        [program.main]
        wasm = "exit-code.wasm"
        role = "main"
        """);
    try (Kernel kernel = Kernel.builder().build()) {
      assertThatThrownBy(() -> kernel.launchTests(Manifest.load(dir.resolve("app.toml"))))
          .isInstanceOf(ParigotException.class)
          .hasMessageEndingWith("app.toml: no program has role = \"test\"");
    }
  }

  @Test
  void theBuilderRefusesAServiceNameThatIsNotAName() {
    assertThatThrownBy(() -> Kernel.builder().service("9lives", new Probe()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a service name: '9lives'");
    assertThatThrownBy(() ->
            Kernel.builder().service(Probe.NAME, new Probe()).service(Probe.NAME, new Probe()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(Probe.NAME + " is already served");
  }
}
