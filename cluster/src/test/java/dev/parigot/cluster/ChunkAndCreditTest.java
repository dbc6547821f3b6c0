package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages past max_payload, and streams to a caller slower than its provider. */
class ChunkAndCreditTest {
  @TempDir Path dir;

  private static String app(String url) {
    return """
    app = "chunks"
    [cluster]
    servers = ["%s"]
    nodes = ["a", "b"]
    heartbeat_ms = 500
    [program.echo]
    wasm = "echo.wasm"
    role = "service"
    node = "b"
    exports = ["test.v1.Echo"]
    """
        .formatted(url);
  }

  @Test
  void aRequestAndRepliesLargerThanMaxPayloadArriveWhole() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"), "max_payload: 2048")) {
      Apps.guest(dir, "echo");
      var manifest = Apps.manifest(dir, app(nats.url()));
      try (var b = Apps.node(manifest, "b");
          var a = Apps.node(manifest, "a")) {
        byte[] big = Apps.bytes(10_000, 'x');
        var echo = Apps.call(a, "test.v1.Echo", 1, big).await();
        assertThat(echo.ended()).as(echo.text()).isTrue();
        assertThat(echo.data()).isEqualTo(big);

        byte[] three = Apps.bytes(5_000, 3);
        var stream = Apps.call(a, "test.v1.Echo", 2, three);
        assertThat(stream.await().ended()).isTrue();
        assertThat(stream.partials()).hasSize(3).allSatisfy(p -> assertThat(p).isEqualTo(three));
      }
    }
  }

  @Test
  void aSlowCallerGetsEveryPartialResultInOrder() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"))) {
      Apps.guest(dir, "echo");
      var manifest = Apps.manifest(dir, app(nats.url()));
      try (var b = Apps.node(manifest, "b");
          var a = Apps.node(manifest, "a")) {
        // 255 partials of 60 KiB: many times what a window of credit lets out at once.
        byte[] request = Apps.bytes(60 << 10, 255);
        var call = Apps.call(a, "test.v1.Echo", 2, request).slow(2);
        int read = 0;
        while (call.awaitPartial()) {
          call.read();
          read++;
        }
        assertThat(call.await().ended()).as(call.await().text()).isTrue();
        assertThat(read).isEqualTo(255);
        assertThat(call.partials()).hasSize(255).allSatisfy(p -> assertThat(p).isEqualTo(request));
      }
    }
  }
}
