package dev.parigot.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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
        .isInstanceOf(LoadException.class)
        .hasMessageContaining("no-start.wasm: exports no _start function of type () -> ()")
        .hasMessageContaining("program 'main' must be built as a WASI command");
  }

  @Test
  void refusesAModuleWhoseInitialMemoryExceedsTheProgramsCap() {
    assertThatThrownBy(() -> TestApp.single(dir, "big-memory", "limits = { memory_mib = 1 }"))
        .isInstanceOf(LoadException.class)
        .hasMessageContaining("needs 32 memory pages at start but program 'main' may have 16");
  }

  @Test
  void refusesAProgramThatRequiresAKernelServiceThisKernelDoesNotServe() {
    assertThatThrownBy(
            () ->
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

  @Test
  void theBuilderRefusesAServiceNameThatIsNotAName() {
    assertThatThrownBy(() -> Kernel.builder().service("9lives", new Probe()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a service name: '9lives'");
    assertThatThrownBy(
            () -> Kernel.builder().service(Probe.NAME, new Probe()).service(Probe.NAME, new Probe()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(Probe.NAME + " is already served");
  }
}
