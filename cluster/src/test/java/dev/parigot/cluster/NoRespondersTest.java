package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A call while no node serves the name fails at once, from NATS's "no responders". */
class NoRespondersTest {
  @TempDir Path dir;

  @Test
  void aCallAfterTheLastServingNodeStoppedFailsWithNoResponders() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"))) {
      Apps.guest(dir, "echo");
      var manifest =
          Apps.manifest(
              dir,
              """
              app = "gone"
              [cluster]
              servers = ["%s"]
              nodes = ["a", "b"]
              heartbeat_ms = 60000
              [program.echo]
              wasm = "echo.wasm"
              role = "service"
              node = "b"
              exports = ["test.v1.Echo"]
              """
                  .formatted(nats.url()));
      try (var a = startBoth(manifest)) {
        var outcome = Apps.call(a, "test.v1.Echo", 1, Apps.bytes(64, 'x')).await();
        // A heartbeat of a minute: only "no responders" can end this call before the await's 60 s.
        assertThat(outcome.ended()).isFalse();
        assertThat(outcome.code()).isEqualTo(Errno.PROVIDER_DIED.negative());
        assertThat(outcome.text()).contains("no responders");
      }
    }
  }

  /** Node a, once it has reached node b's echo; b is closed again before it returns. */
  private static ClusterNode startBoth(dev.parigot.kernel.Manifest manifest) throws Exception {
    ClusterNode a;
    try (var b = Apps.node(manifest, "b")) {
      a = Apps.node(manifest, "a");
      var echo = Apps.call(a, "test.v1.Echo", 1, Apps.bytes(64, 'y')).await();
      assertThat(echo.ended()).as(echo.text()).isTrue();
    }
    return a;
  }
}
