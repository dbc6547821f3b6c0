package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.conformance.Probe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link App#call}: Java calling a guest service of its app, as the HTTP ingress does. */
class AppCallTest {
  private static final String APP =
      """
      app = "test"
      [program.echo]
      wasm = "echo.wasm"
      role = "service"
      exports = ["test.v1.Echo"]
      """;

  @TempDir Path dir;

  /** Collects a call's answers as "KIND code text". */
  static final class Answers implements Replies {
    final BlockingQueue<String> got = new LinkedBlockingQueue<>();

    @Override
    public boolean partial(byte[] data) {
      return got.add("PARTIAL 0 " + text(data));
    }

    @Override
    public boolean end(byte[] data) {
      return got.add("END 0 " + text(data));
    }

    @Override
    public boolean fail(int code, byte[] message) {
      return got.add("ERROR " + code + " " + text(message));
    }

    String next() throws InterruptedException {
      String a = got.poll(30, TimeUnit.SECONDS);
      assertThat(a).as("an answer within 30 s").isNotNull();
      return a;
    }

    private static String text(byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void javaCallsAGuestServiceOfTheAppAndGetsItsResults() throws Exception {
    try (var t = TestApp.launch(dir, APP, "echo")) {
      var echo = new Answers();
      t.app.call("http", "test.v1.Echo", 1, bytes("hi"), echo);
      assertThat(echo.next()).isEqualTo("END 0 hi");

      var stream = new Answers();
      t.app.call("http", "test.v1.Echo", 2, new byte[] {2}, stream);
      assertThat(stream.next()).startsWith("PARTIAL 0 ");
      assertThat(stream.next()).startsWith("PARTIAL 0 ");
      assertThat(stream.next()).isEqualTo("END 0 ");

      var refused = new Answers();
      t.app.call("http", "test.v1.Echo", 5, new byte[0], refused);
      assertThat(refused.next()).isEqualTo("ERROR 7 nope");
    }
  }

  @Test
  void aServerThatDiesFailsTheCallWithProviderDiedAndLaterCallsToo() throws Exception {
    try (var t = TestApp.launch(dir, APP, "echo")) {
      var trap = new Answers();
      t.app.call("http", "test.v1.Echo", 4, new byte[0], trap);
      assertThat(trap.next()).startsWith("ERROR " + Errno.PROVIDER_DIED.negative() + " ");

      var after = new Answers();
      t.app.call("http", "test.v1.Echo", 1, bytes("x"), after);
      // Whether the dead process is still listed when the call is routed is a race; either way
      // the caller hears PROVIDER_DIED.
      assertThat(after.next()).startsWith("ERROR " + Errno.PROVIDER_DIED.negative() + " ");
    }
  }

  @Test
  void cancellingTellsTheServerAndNothingMoreArrives() throws Exception {
    try (var t = TestApp.launch(dir, APP, "echo")) {
      var held = new Answers();
      Provider.Cancellation c = t.app.call("http", "test.v1.Echo", 3, new byte[0], held);
      c.cancel(Errno.TIMED_OUT);
      // The server is still serving: the cancel reached it and it goes on.
      var echo = new Answers();
      t.app.call("http", "test.v1.Echo", 1, bytes("after"), echo);
      assertThat(echo.next()).isEqualTo("END 0 after");
      assertThat(held.got).isEmpty();
    }
  }

  @Test
  void onlyTheAppsOwnExportsCanBeCalled() throws Exception {
    try (var t = TestApp.launch(dir, APP, "echo")) {
      assertThatThrownBy(() -> t.app.call("http", Probe.NAME, 1, new byte[0], new Answers()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no program of app 'test' exports " + Probe.NAME);
    }
  }

  @Test
  void afterTheKernelClosesACallFailsWithShuttingDown() throws Exception {
    var t = TestApp.launch(dir, APP, "echo");
    t.close();
    var late = new Answers();
    t.app.call("http", "test.v1.Echo", 1, bytes("x"), late);
    assertThat(late.next())
        .isEqualTo("ERROR " + Errno.SHUTTING_DOWN.negative() + " the kernel is stopping");
  }
}
