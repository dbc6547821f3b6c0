package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.abi.Errno;
import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.App;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.core.AppCallTest.Answers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link App#upgrade} and {@link App#restart}: new processes first, the old ones drained. */
class UpgradeTest {
  private static final String ECHO = "test.v1.Echo";
  private static final String DIED = "ERROR " + Errno.PROVIDER_DIED.negative() + " ";

  @TempDir Path dir;

  private TestApp launch(String keys) throws Exception {
    return TestApp.launch(
        dir,
        """
        app = "up"
        [program.echo]
        wasm = "supervised.wasm"
        role = "service"
        exports = ["test.v1.Echo"]
        replicas = 2
        %s
        [program.once]
        wasm = "call-once.wasm"
        role = "main"
        requires = ["test.v1.Echo"]
        """
            .formatted(keys),
        "supervised",
        "call-once");
  }

  private static String call(App app, int method, String request) throws InterruptedException {
    var answers = new Answers();
    app.call("test", ECHO, method, request.getBytes(StandardCharsets.UTF_8), answers);
    return answers.next();
  }

  private Path module(String name) throws Exception {
    Path file = dir.resolve("new-" + name + ".wasm");
    Files.write(file, TestApp.corpus(name));
    return file;
  }

  private static List<Long> echoPids(TestApp t) {
    return t.kernel.processes().stream()
        .filter(p -> p.program().equals("echo") && !p.worker())
        .map(ProcessInfo::pid)
        .toList();
  }

  @Test
  void anUpgradeUnderSteadyCallsLosesNone() throws Exception {
    try (var t = launch("")) {
      assertThat(call(t.app, 8, "")).isEqualTo("END 0 v1");
      List<Long> before = echoPids(t);
      var stop = new AtomicBoolean();
      // At most 32 calls open at once: a steady load, which never waits for the upgrade.
      var open = new Semaphore(32);
      var results = new ArrayList<CompletableFuture<String>>();
      Thread caller =
          Thread.ofPlatform()
              .start(() -> {
                while (!stop.get()) {
                  open.acquireUninterruptibly();
                  var result = new CompletableFuture<String>();
                  result.whenComplete((r, e) -> open.release());
                  synchronized (results) {
                    results.add(result);
                  }
                  t.app.call(
                      "test",
                      ECHO,
                      1,
                      "x".getBytes(StandardCharsets.UTF_8),
                      new Replies() {
                        @Override
                        public boolean partial(byte[] data) {
                          return result.complete("PARTIAL");
                        }

                        @Override
                        public boolean end(byte[] data) {
                          return result.complete("END " + new String(data, StandardCharsets.UTF_8));
                        }

                        @Override
                        public boolean fail(int code, byte[] message) {
                          return result.complete("ERROR " + code);
                        }
                      });
                }
              });
      try {
        t.app.upgrade("echo", module("supervised-v2"));
        assertThat(call(t.app, 8, "")).isEqualTo("END 0 v2");
      } finally {
        stop.set(true);
        caller.join();
      }
      List<CompletableFuture<String>> all;
      synchronized (results) {
        all = List.copyOf(results);
      }
      assertThat(all).isNotEmpty();
      for (CompletableFuture<String> r : all) {
        assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo("END x");
      }
      assertThat(echoPids(t)).hasSize(2).doesNotContainAnyElementsOf(before);
      assertThat(t.endings)
          .filteredOn(e -> e.contains("replaced by an upgrade of program 'echo'"))
          .hasSize(2);
    }
  }

  @Test
  void aCallInFlightPastTheDrainTimeoutFailsWithProviderDied() throws Exception {
    try (var t = launch("drain_timeout_ms = 0")) {
      var held = new Answers();
      t.app.call("test", ECHO, 3, new byte[0], held);
      t.app.restart("echo");
      assertThat(held.next()).startsWith(DIED);
      assertThat(call(t.app, 1, "after")).isEqualTo("END 0 after");
    }
  }

  @Test
  void aRefusedModuleLeavesTheOldVersionServing() throws Exception {
    try (var t = launch("")) {
      List<Long> before = echoPids(t);
      // Imports a syscall the ABI does not have: refused when loaded.
      assertThatThrownBy(() -> t.app.upgrade("echo", module("reject-unknown-syscall")))
          .isInstanceOf(ModuleRefusedException.class);
      // Loads, but its process dies before it serves the program's exports.
      assertThatThrownBy(() -> t.app.upgrade("echo", module("crash-start")))
          .isInstanceOf(ParigotException.class)
          .hasMessageContaining("program 'echo'")
          .hasMessageContaining("ended before it served all of [test.v1.Echo]")
          .hasMessageContaining("the old version serves on");
      Path junk = dir.resolve("junk.wasm");
      Files.writeString(junk, "not wasm");
      assertThatThrownBy(() -> t.app.upgrade("echo", junk))
          .isInstanceOf(ModuleRefusedException.class);
      assertThatThrownBy(() -> t.app.upgrade("echo", dir.resolve("missing.wasm")))
          .isInstanceOf(ModuleRefusedException.class)
          .hasMessageContaining("cannot read");
      assertThat(call(t.app, 8, "")).isEqualTo("END 0 v1");
      assertThat(echoPids(t)).containsExactlyInAnyOrderElementsOf(before);
    }
  }

  @Test
  void onlyARunningServiceProgramCanBeReplaced() throws Exception {
    try (var t = launch("")) {
      assertThatThrownBy(() -> t.app.restart("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("app 'up' has no program 'nope'");
      assertThatThrownBy(() -> t.app.upgrade("once", module("supervised")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("program 'once' of app 'up' is a main program");
    }
  }

  @Test
  void anUpgradedProgramRestartsWithItsNewModule() throws Exception {
    try (var t = launch("restart = \"on-failure\"\nrestart_delay_ms = 1000")) {
      t.app.upgrade("echo", module("supervised-v2"));
      List<Process> upgraded =
          t.processes().stream()
              .filter(p -> p.program().name().equals("echo") && !p.isWorker())
              .toList();
      // One trap takes one replica; the next call goes to the other while the first waits.
      assertThat(call(t.app, 4, "boom")).startsWith(DIED);
      CompletableFuture.anyOf(
              upgraded.stream().map(Process::exit).toArray(CompletableFuture[]::new))
          .join();
      assertThat(call(t.app, 4, "boom")).startsWith(DIED);
      upgraded.forEach(p -> p.exit().join());
      // Served once a replica is back, by the new module.
      assertThat(call(t.app, 8, "")).isEqualTo("END 0 v2");
    }
  }
}
