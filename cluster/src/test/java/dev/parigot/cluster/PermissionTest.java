package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import dev.parigot.abi.EventKind;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.Provider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security at the network: {@code parigot cluster config} gives each program a NATS user allowed
 * what its manifest grants; a node that edits its copy of the manifest gains nothing.
 */
class PermissionTest {
  private static final String PROBE = "parigot.test.v1.Probe";

  @TempDir Path dir;

  /** What the scripted guests report: method id * 16 + tag, and the report. */
  private record Report(int method, byte[] data) {
    ByteBuffer buffer() {
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private final BlockingQueue<Report> reports = new LinkedBlockingQueue<>();

  private final Provider probe =
      (caller, method, request, replies) -> {
        reports.add(new Report(method, request));
        replies.end(new byte[0]);
        return reason -> {};
      };

  private static String manifest(String url, String mainRequires) {
    return """
    app = "secure"
    [cluster]
    servers = ["%s"]
    nodes = ["a", "b"]
    credentials = "creds"
    [program.echo]
    wasm = "echo.wasm"
    role = "service"
    node = "b"
    exports = ["test.v1.Echo"]
    [program.vault]
    wasm = "conf-script.wasm"
    role = "service"
    node = "b"
    exports = ["test.v1.Vault"]
    requires = ["%s"]
    args = ["9", "e test.v1.Vault"]
    [program.main]
    wasm = "conf-script.wasm"
    role = "main"
    node = "a"
    requires = [%s]
    args = ["1", "l test.v1.Echo", "c $0 1 8 30000", "d", "l test.v1.Vault", "c $3 1 8 30000",
            "d"]
    """
        .formatted(url, PROBE, mainRequires);
  }

  @Test
  void aNodeWhoseManifestWasEditedToRequireMoreGetsNotPermittedFromTheServer() throws Exception {
    Apps.guest(dir, "echo");
    Apps.guest(dir, "conf-script");
    // The config comes from the manifest as released: main may call Echo, not Vault.
    String granted = "\"" + PROBE + "\", \"test.v1.Echo\"";
    Path released = dir.resolve("app.toml");
    Files.writeString(released, manifest("nats://127.0.0.1:1", granted));
    ClusterConfig.write(Manifest.load(released), dir.resolve("creds"));
    String accounts = Files.readString(dir.resolve("creds").resolve(ClusterConfig.ACCOUNTS_FILE));

    try (var nats = NatsServer.start(dir.resolve("nats"), accounts)) {
      Files.writeString(released, manifest(nats.url(), granted));
      Path edited = dir.resolve("edited.toml");
      Files.writeString(edited, manifest(nats.url(), granted + ", \"test.v1.Vault\""));
      Map<String, Provider> services = Map.of(PROBE, probe);
      try (var b =
              ClusterNode.start(
                  Manifest.load(released), "b", Apps.QUIET, Optional.empty(), services, false);
          var a =
              ClusterNode.start(
                  Manifest.load(edited), "a", Apps.QUIET, Optional.empty(), services, false)) {
        // Commands 0-2: Echo, which main was granted, answers.
        assertThat(result(1, 0)).isPositive();
        assertThat(result(1, 1)).isPositive();
        assertThat(eventCode(1, 2, EventKind.END)).isZero();
        assertThat(result(1, 2)).isEqualTo(1);
        // Commands 3-5: Vault, which only the edited manifest grants, is refused by the server,
        // as NOT_PERMITTED and not as the 30 s deadline.
        assertThat(result(1, 3)).isPositive();
        assertThat(result(1, 4)).isPositive();
        assertThat(eventCode(1, 5, EventKind.ERROR)).isEqualTo(Errno.NOT_PERMITTED.negative());
      }
    }
  }

  /** The next report of guest {@code id}, the value of command {@code cmd}. */
  private int result(int id, int cmd) throws InterruptedException {
    ByteBuffer b = next(id, 1).buffer();
    assertThat(b.getInt()).as("command").isEqualTo(cmd);
    return b.getInt();
  }

  /**
   * The next report of guest {@code id}, an event of {@code kind} read by command cmd: its code.
   */
  private int eventCode(int id, int cmd, EventKind kind) throws InterruptedException {
    ByteBuffer b = next(id, 2).buffer();
    assertThat(b.getInt()).as("command").isEqualTo(cmd);
    assertThat(b.getInt()).as("event kind").isEqualTo(kind.value());
    b.getInt(); // handle
    return b.getInt();
  }

  private Report next(int id, int tag) throws InterruptedException {
    while (true) {
      Report r = reports.poll(30, TimeUnit.SECONDS);
      assertThat(r).as("a report of guest " + id + " within 30 s").isNotNull();
      if (r.method() >> 4 == id) {
        assertThat(r.method() & 15).as("report tag").isEqualTo(tag);
        return r;
      }
    }
  }
}
