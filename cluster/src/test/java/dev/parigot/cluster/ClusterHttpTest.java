package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.InUseException;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Manifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster's front door: the node that {@code [http]} names serves the app's HTTP, real requests
 * over real sockets reach a real guest handler (the services' test handler, handler.c) on other
 * nodes through a real nats-server, and the handler reads large bodies from the front node.
 */
class ClusterHttpTest {
  private static final Path HANDLER = Path.of("..", "services", "src", "test", "guests");

  @TempDir Path dir;

  private NatsServer nats;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void handler() throws IOException {
    Files.copy(HANDLER.resolve("handler.wasm"), dir.resolve("handler.wasm"));
  }

  @AfterEach
  void stopNats() {
    if (nats != null) {
      nats.close();
    }
  }

  /**
   * The app: handler {@code web} (nodes {@code webNodes}) behind route "/", program {@code admin}
   * exporting web.v1.Admin on node b, and {@code extraRoutes} added to [http].
   */
  private static String app(String url, String webNodes, String listen, String extraRoutes) {
    return """
    app = "shop"
    [cluster]
    servers = ["%s"]
    nodes = ["front", "b", "c"]
    credentials = "creds"
    [http]
    node = "front"
    listen = "%s"
    timeout_ms = 25000
    [[http.route]]
    prefix = "/"
    service = "web.v1.Handler"
    %s
    [program.web]
    wasm = "handler.wasm"
    role = "service"
    nodes = [%s]
    exports = ["web.v1.Handler"]
    requires = ["parigot.http.v1.Body"]
    args = ["web.v1.Handler"]
    [program.admin]
    wasm = "handler.wasm"
    role = "service"
    node = "b"
    exports = ["web.v1.Admin"]
    args = ["web.v1.Admin"]
    """
        .formatted(url, listen, extraRoutes, webNodes);
  }

  private Manifest write(String name, String toml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, toml);
    return Manifest.load(file);
  }

  private Manifest open(String webNodes) throws IOException {
    nats = NatsServer.start(dir.resolve("nats"));
    // Without credentials: the same manifest, connecting without users.
    return write(
        "app.toml",
        app(nats.url(), webNodes, "127.0.0.1:0", "").replace("credentials = \"creds\"\n", ""));
  }

  private static ClusterNode node(Manifest manifest, String name) {
    return ClusterNode.start(manifest, name, Apps.QUIET, Optional.empty());
  }

  private HttpResponse<String> get(ClusterNode front, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(front, path)).timeout(Duration.ofSeconds(60)).build(),
        BodyHandlers.ofString());
  }

  /** POSTs {@code upload} to the handler's /sum, which reads it as a body and sums it. */
  private HttpResponse<String> sum(ClusterNode front, byte[] upload) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(front, "/sum"))
            .timeout(Duration.ofSeconds(60))
            .POST(BodyPublishers.ofByteArray(upload))
            .build(),
        BodyHandlers.ofString());
  }

  private static URI uri(ClusterNode front, String path) {
    return URI.create("http://127.0.0.1:" + front.httpAddress().orElseThrow().getPort() + path);
  }

  /** FNV-1a 32, as handler.c computes it. */
  private static String fnv(byte[] b) {
    int h = 0x811c9dc5;
    for (byte x : b) {
      h = (h ^ (x & 0xff)) * 16777619;
    }
    return String.format("%08x", h);
  }

  @Test
  void aRequestToTheFrontNodeIsAnsweredByAHandlerOnAnotherNode() throws Exception {
    Manifest manifest = open("\"b\"");
    try (var b = node(manifest, "b");
        var front = node(manifest, "front")) {
      assertThat(b.httpAddress()).as("only the [http] node binds").isEmpty();
      HttpResponse<String> r = get(front, "/echo?x=1");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-path")).contains("/echo");
      assertThat(r.headers().firstValue("x-query")).contains("x=1");
      assertThat(r.headers().firstValue("x-method")).contains("GET");

      HttpResponse<String> failed = get(front, "/fail");
      assertThat(failed.statusCode()).isEqualTo(500);
      assertThat(failed.body()).contains("out of stock");
    }
  }

  @Test
  void aRouteServedOnTheFrontNodeIsCalledInItsKernelWithItsBodiesRead() throws Exception {
    Manifest manifest = open("\"front\"");
    // No other node runs: the handler and the body are the front node's own.
    try (var front = node(manifest, "front")) {
      assertThat(get(front, "/echo").statusCode()).isEqualTo(200);
      byte[] upload = new byte[200_000];
      new Random(3).nextBytes(upload);
      HttpResponse<String> r = sum(front, upload);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-streamed")).contains("1");
      assertThat(r.body()).isEqualTo(upload.length + " " + fnv(upload));
    }
  }

  @Test
  void withTwoReplicasOfTheHandlerEachOneServesTheRoute() throws Exception {
    Manifest manifest = open("\"b\", \"c\"");
    var b = node(manifest, "b");
    try (var c = node(manifest, "c");
        var front = node(manifest, "front")) {
      for (int i = 0; i < 4; i++) {
        assertThat(get(front, "/echo").statusCode()).isEqualTo(200);
      }
      // b alone, then c alone: each replica answers the route.
      c.close();
      assertThat(get(front, "/echo").statusCode()).isEqualTo(200);
      b.close();
      b = node(manifest, "b");
      try (var c2 = node(manifest, "c")) {
        b.close();
        HttpResponse<String> r = get(front, "/echo");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        c2.close();
        HttpResponse<String> none = get(front, "/echo");
        assertThat(none.statusCode()).as("no replica serves the route").isEqualTo(502);
      }
    } finally {
      b.close();
    }
  }

  @Test
  void aLargeBodyReachesAHandlerOnAnotherNodeThroughTheFrontNodesBodyService() throws Exception {
    Manifest manifest = open("\"b\"");
    try (var b = node(manifest, "b");
        var front = node(manifest, "front")) {
      byte[] upload = new byte[3 * 1024 * 1024];
      new Random(14).nextBytes(upload);
      HttpResponse<String> r = sum(front, upload);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-streamed")).contains("1");
      assertThat(r.body()).isEqualTo(upload.length + " " + fnv(upload));

      // Chunked, read twice: the second Read, over NATS too, is NOT_FOUND (5).
      byte[] part = Arrays.copyOf(upload, 200_000);
      HttpResponse<String> twice =
          client.send(
              HttpRequest.newBuilder(uri(front, "/sum?twice"))
                  .timeout(Duration.ofSeconds(60))
                  .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(part)))
                  .build(),
              BodyHandlers.ofString());
      assertThat(twice.statusCode()).as(twice.body()).isEqualTo(200);
      assertThat(twice.body()).isEqualTo(part.length + " " + fnv(part));
      assertThat(twice.headers().firstValue("x-second")).contains("5");
    }
  }

  @Test
  void listenMovesTheIngressAndOnlyTheHttpNodeTakesIt() throws Exception {
    Manifest manifest = open("\"b\"");
    var elsewhere = Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", 0));
    assertThatThrownBy(
            () -> ClusterNode.start(manifest, "b", Apps.QUIET, Optional.empty(), elsewhere))
        .isInstanceOf(ParigotException.class)
        .hasMessageContaining("node 'b' does not serve the app's HTTP; node 'front' does");
    try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var busy = Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", taken.getLocalPort()));
      assertThatThrownBy(
              () -> ClusterNode.start(manifest, "front", Apps.QUIET, Optional.empty(), busy))
          .isInstanceOf(InUseException.class)
          .hasMessageContaining("in use");
    }
    try (var b = node(manifest, "b");
        var front = ClusterNode.start(manifest, "front", Apps.QUIET, Optional.empty(), elsewhere)) {
      assertThat(get(front, "/echo").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withCredentialsTheIngressMayCallOnlyTheRoutesServices() throws Exception {
    // The config comes from the manifest as released: one route, to web.v1.Handler.
    Path released = dir.resolve("app.toml");
    Files.writeString(released, app("nats://127.0.0.1:1", "\"b\"", "127.0.0.1:0", ""));
    ClusterConfig.write(Manifest.load(released), dir.resolve("creds"));
    Path creds = dir.resolve("creds");
    assertThat(creds.resolve(ClusterConfig.passwordFile(ClusterConfig.HTTP_INGRESS))).exists();
    String accounts = Files.readString(creds.resolve(ClusterConfig.ACCOUNTS_FILE));
    assertThat(accounts).contains("\"shop._http\"");
    nats = NatsServer.start(dir.resolve("nats"), accounts);

    Manifest good = write("app.toml", app(nats.url(), "\"b\"", "127.0.0.1:0", ""));
    // The front node's copy routes to web.v1.Admin too, which the config did not grant.
    String forged = "[[http.route]]\nprefix = \"/admin\"\nservice = \"web.v1.Admin\"\n";
    Manifest edited = write("edited.toml", app(nats.url(), "\"b\"", "127.0.0.1:0", forged));
    try (var b = node(good, "b");
        var front = node(edited, "front")) {
      HttpResponse<String> r = get(front, "/echo");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      // A streamed body: the handler's user may call Body, the ingress's user serve it.
      byte[] upload = new byte[300_000];
      new Random(7).nextBytes(upload);
      HttpResponse<String> sum = sum(front, upload);
      assertThat(sum.statusCode()).as(sum.body()).isEqualTo(200);
      assertThat(sum.body()).isEqualTo(upload.length + " " + fnv(upload));

      // Refused by the server, answered at once as not permitted: not the 25 s timeout (504).
      HttpResponse<String> admin = get(front, "/admin/echo");
      assertThat(admin.statusCode()).as(admin.body()).isEqualTo(503);
      assertThat(admin.body()).contains("not permitted").contains("web.v1.Admin");
    }
  }
}
