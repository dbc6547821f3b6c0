package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.ProcessInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a node during traffic. The killed node is a JVM of its own, killed with
 * SIGKILL, as a crashed machine: nothing of it says goodbye, and its sockets close only because the
 * operating system closes them. (Cutting a kernel's connection in this JVM would leave its threads
 * and half-sent messages to the test's judgement; a process cannot cheat.)
 */
class NodeKillTest {
  @TempDir Path dir;

  @Test
  void theCallersOfAKilledNodeHearItDiedAndLaterCallsGoToTheSurvivingReplica() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"))) {
      Apps.guest(dir, "echo");
      var manifest =
          Apps.manifest(
              dir,
              """
              app = "kill"
              [cluster]
              servers = ["%s"]
              nodes = ["a", "b", "c"]
              heartbeat_ms = 300
              [program.echo]
              wasm = "echo.wasm"
              role = "service"
              nodes = ["b", "c"]
              exports = ["test.v1.Echo"]
              """
                  .formatted(nats.url()));
      Process c = startNode(manifest.file(), "c");
      try (AutoCloseable killC = c::destroyForcibly;
          var b = Apps.node(manifest, "b");
          var a = Apps.node(manifest, "a")) {
        // Method 3 holds the call: each stays open on the replica the queue group picked.
        var held = new ArrayList<Apps.Call>();
        for (int i = 0; i < 40; i++) {
          held.add(Apps.call(a, "test.v1.Echo", 3, Apps.bytes(64, 'h')));
        }
        c.destroyForcibly();
        assertThat(c.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // Each held call either fails, if c had it, or stays open on b.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Apps.Call> failed;
        while (true) {
          failed = held.stream().filter(call -> call.outcome.isDone()).toList();
          if (!failed.isEmpty() && failed.size() + inFlight(b) == held.size()) {
            break;
          }
          assertThat(System.nanoTime() - deadline)
              .as("calls failed (%d) and held on b (%d) within 30 s", failed.size(), inFlight(b))
              .isNegative();
          var open = held.stream().filter(call -> !call.outcome.isDone());
          try {
            CompletableFuture.anyOf(
                    open.map(call -> call.outcome).toArray(CompletableFuture[]::new))
                .get(100, TimeUnit.MILLISECONDS);
          } catch (TimeoutException e) {
            // b's count moves without an outcome: look again.
          }
        }
        for (Apps.Call call : failed) {
          var outcome = call.await();
          assertThat(outcome.ended()).isFalse();
          assertThat(outcome.code()).as(outcome.text()).isEqualTo(Errno.PROVIDER_DIED.negative());
          assertThat(outcome.text()).containsAnyOf("two heartbeats", "no responders");
        }
        assertThat(inFlight(b)).as("calls held on b").isPositive();

        for (int i = 0; i < 20; i++) {
          byte[] request = Apps.bytes(64, 'a' + i);
          var echo = Apps.call(a, "test.v1.Echo", 1, request).await();
          assertThat(echo.ended()).as(echo.text()).isTrue();
          assertThat(echo.data()).isEqualTo(request);
        }
      }
    }
  }

  private Process startNode(Path manifest, String node) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                NodeMain.class.getName(),
                manifest.toString(),
                node)
            .redirectError(dir.resolve("node-" + node + ".log").toFile())
            .start();
    var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (!"ready".equals(line)) {
      p.destroyForcibly();
      throw new AssertionError("node " + node + " did not start: " + line + "; see its log");
    }
    return p;
  }

  private static long inFlight(ClusterNode node) {
    return node.kernel().processes().stream().mapToLong(ProcessInfo::callsInFlight).sum();
  }
}
