package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.conformance.ThreadDump;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP ingress through real sockets: a java.net.http client against C handler guests
 * (src/test/guests/handler.c, built by scripts/build-guests) behind two routes.
 */
class HttpIngressTest {
  private static final Path HANDLER = Path.of("src/test/guests/handler.wasm").toAbsolutePath();

  @TempDir Path dir;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private KernelServices services;
  private Kernel kernel;
  private App app;
  private HttpSpec http;
  private HttpIngress ingress;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void start() throws IOException {
    Path file = dir.resolve("app.toml");
    Files.writeString(
        file,
        """
        app = "shop"
        [http]
        listen = "127.0.0.1:0"
        max_header_bytes = 4096
        max_body_bytes = 1000
        timeout_ms = 500
        [[http.route]]
        prefix = "/api"
        service = "shop.v1.Front"
        [[http.route]]
        prefix = "/api/admin"
        service = "shop.v1.Admin"

        [program.front]
        wasm = "%1$s"
        role = "service"
        exports = ["shop.v1.Front"]
        requires = ["parigot.http.v1.Body"]
        args = ["shop.v1.Front"]

        [program.admin]
        wasm = "%1$s"
        role = "service"
        exports = ["shop.v1.Admin"]
        args = ["shop.v1.Admin"]
        """
            .formatted(HANDLER));
    Manifest manifest = Manifest.load(file);
    services = KernelServices.builder().dataDir(dir.resolve("data")).build();
    kernel =
        services
            .install(Kernel.builder().output((p, err, line) -> lines.add(p + " " + line)))
            .build();
    app = kernel.launch(manifest);
    http = manifest.section(HttpSection.KEY).orElseThrow();
    ingress = HttpIngress.start(http, app, services);
  }

  @AfterEach
  void stop() {
    ingress.close();
    kernel.close();
    services.close();
    client.close();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + ingress.address().getPort() + pathAndQuery);
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).build(), BodyHandlers.ofString());
  }

  @Test
  void portZeroBindsAnEphemeralPortThatTheIngressReports() {
    assertThat(ingress.address().getPort()).isPositive();
    assertThat(ingress.address().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void aRequestGoesToTheLongestMatchingPrefixWithItsMethodPathQueryAndBody() throws Exception {
    HttpResponse<String> front =
        client.send(
            HttpRequest.newBuilder(uri("/api/echo?q=a%20b"))
                .header("X-Test", "1")
                .POST(BodyPublishers.ofString("hello"))
                .build(),
            BodyHandlers.ofString());
    assertThat(front.statusCode()).isEqualTo(200);
    assertThat(front.body()).isEqualTo("hello");
    assertThat(front.headers().firstValue("x-method")).contains("POST");
    assertThat(front.headers().firstValue("x-path")).contains("/api/echo");
    assertThat(front.headers().firstValue("x-query")).contains("q=a%20b");
    assertThat(front.headers().firstValue("x-route")).contains("/api");
    assertThat(front.headers().firstValue("content-length")).contains("5");

    HttpResponse<String> admin = get("/api/admin/echo");
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.headers().firstValue("x-route")).contains("/api/admin");

    // "/apiary" is not below "/api": prefixes match whole segments.
    assertThat(get("/apiary").statusCode()).isEqualTo(404);
  }

  @Test
  void aPathWithoutARouteIs404AndTheGuestsOwnStatusesPassThrough() throws Exception {
    HttpResponse<String> none = get("/other");
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(none.body()).isEqualTo("no route for /other\n");

    HttpResponse<String> guest = get("/api/missing");
    assertThat(guest.statusCode()).isEqualTo(404);
    assertThat(guest.body()).isEqualTo("not here");
  }

  @Test
  void aFiveMibResponseStreamsInChunksAndArrivesWhole() throws Exception {
    int size = 5 * 1024 * 1024;
    HttpResponse<InputStream> r =
        client.send(
            HttpRequest.newBuilder(uri("/api/big?" + size)).build(), BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("application/octet-stream");
    // Larger than any one message may be: it can only have come as a stream.
    assertThat(r.headers().firstValue("content-length")).isEmpty();
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readAllBytes();
    }
    assertThat(body).hasSize(size);
    for (int i = 0; i < size; i += 4099) {
      assertThat(body[i]).as("byte %d", i).isEqualTo((byte) ('a' + (i % (64 * 1024)) % 26));
    }
  }

  @Test
  void aBodyOverTheLimitIs413AndHeadersOverTheirsAre431() throws Exception {
    HttpResponse<String> big =
        client.send(
            HttpRequest.newBuilder(uri("/api/echo"))
                .POST(BodyPublishers.ofString("x".repeat(1001)))
                .build(),
            BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.body()).contains("larger than 1000 bytes");

    HttpResponse<String> ok =
        client.send(
            HttpRequest.newBuilder(uri("/api/echo"))
                .POST(BodyPublishers.ofString("x".repeat(1000)))
                .build(),
            BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).hasSize(1000);

    HttpResponse<String> head =
        client.send(
            HttpRequest.newBuilder(uri("/api/echo")).header("X-Big", "h".repeat(5000)).build(),
            BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(431);
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
  void aFiveMibUploadIsStreamedToTheHandlerThroughTheBodyService() throws Exception {
    // The same app behind a second ingress whose limits allow the upload and the slow reading.
    HttpSpec large = new HttpSpec("127.0.0.1", 0, http.routes(), 4096, 64 << 20, 120_000);
    try (HttpIngress big = HttpIngress.start(large, app, services)) {
      byte[] upload = new byte[5 * 1024 * 1024];
      new java.util.Random(4).nextBytes(upload);
      URI sum = URI.create("http://127.0.0.1:" + big.address().getPort() + "/api/sum");
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(sum).POST(BodyPublishers.ofByteArray(upload)).build(),
              BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-streamed")).contains("1");
      assertThat(r.body()).isEqualTo(upload.length + " " + fnv(upload));

      // Chunked (no Content-Length), and read twice: the second Read is NOT_FOUND (5).
      byte[] part = java.util.Arrays.copyOf(upload, 200_000);
      HttpResponse<String> twice =
          client.send(
              HttpRequest.newBuilder(URI.create(sum + "?twice"))
                  .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(part)))
                  .build(),
              BodyHandlers.ofString());
      assertThat(twice.statusCode()).as(twice.body()).isEqualTo(200);
      assertThat(twice.body()).isEqualTo(part.length + " " + fnv(part));
      assertThat(twice.headers().firstValue("x-second")).contains("5");

      // A small body comes inline.
      HttpResponse<String> small =
          client.send(
              HttpRequest.newBuilder(sum).POST(BodyPublishers.ofString("abc")).build(),
              BodyHandlers.ofString());
      assertThat(small.headers().firstValue("x-streamed")).contains("0");
      assertThat(small.body()).isEqualTo("3 " + fnv("abc".getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void aChunkedBodyOverTheLimitIs413() throws Exception {
    HttpResponse<String> big =
        client.send(
            HttpRequest.newBuilder(uri("/api/sum"))
                .POST(
                    BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[1001])))
                .build(),
            BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(413);
  }

  @Test
  void anApplicationErrorIs500WithItsMessage() throws Exception {
    HttpResponse<String> r = get("/api/fail");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("out of stock\n");
  }

  @Test
  void aHandlerThatDiesGives502AndSoDoesItsRouteAfterwards() throws Exception {
    HttpResponse<String> r = get("/api/die");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).startsWith("shop.v1.Front: provider died");
    assertThat(get("/api/echo").statusCode()).isEqualTo(502);
    // The other route's process is unaffected.
    assertThat(get("/api/admin/echo").statusCode()).isEqualTo(200);
  }

  @Test
  void aMalformedResponseIs502() throws Exception {
    HttpResponse<String> garbage = get("/api/garbage");
    assertThat(garbage.statusCode()).isEqualTo(502);
    assertThat(garbage.body()).contains("malformed response: not an HttpResponse");
    HttpResponse<String> noStatus = get("/api/nostatus");
    assertThat(noStatus.statusCode()).isEqualTo(502);
    assertThat(noStatus.body()).contains("status 0 is not 100 to 599");
  }

  @Test
  void aHandlerPastTheDeadlineIs504AndKeepsServing() throws Exception {
    HttpResponse<String> r = get("/api/slow");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("did not answer within 500 ms");
    assertThat(get("/api/echo").statusCode()).isEqualTo(200);
  }

  @Test
  void dotSegmentsAreRefusedWith400() throws Exception {
    // java.net.http sends the path as given; a raw socket makes sure of it.
    try (var socket = new Socket("127.0.0.1", ingress.address().getPort())) {
      socket
          .getOutputStream()
          .write(
              "GET /api/../secret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void aClientThatLeavesMidStreamCancelsTheCallAndTheHandlerServesOn() throws Exception {
    HttpResponse<InputStream> r =
        client.send(
            HttpRequest.newBuilder(uri("/api/big?" + 64 * 1024 * 1024)).build(),
            BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      assertThat(in.readNBytes(1000)).hasSize(1000);
    }
    assertThat(get("/api/echo").statusCode()).isEqualTo(200);
  }

  @Test
  void aClientThatReadsSlowlyGetsAWholeGuestResponseWhileTheKernelPacesTheGuest() throws Exception {
    int size = 32 << 20;
    HttpSpec patient = new HttpSpec("127.0.0.1", 0, http.routes(), 4096, 1000, 120_000);
    try (HttpIngress slow = HttpIngress.start(patient, app, services)) {
      URI big = URI.create("http://127.0.0.1:" + slow.address().getPort() + "/api/big?" + size);
      HttpResponse<InputStream> r =
          client.send(HttpRequest.newBuilder(big).build(), BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      try (InputStream in = r.body()) {
        assertThat(in.readNBytes(1000)).hasSize(1000);

        // The client stops reading: the socket's buffers, then the ingress's queue fill, and the
        // guest, which cannot see readiness, waits in the kernel for the ingress's callback.
        ThreadDump dump = ThreadDump.take(dir);
        for (int i = 0; i < 1000 && dump.in("IncomingCall", "awaitReady").isEmpty(); i++) {
          dump = ThreadDump.take(dir);
        }
        assertThat(dump.in("IncomingCall", "awaitReady")).hasSize(1);
        for (String method : List.of("partial", "end", "fail", "isReady", "onReady")) {
          assertThat(dump.in("Exchange", method)).as("threads in Exchange.%s", method).isEmpty();
        }
        long bound = (long) HttpIngress.BUFFERED_BYTES + app.maxMessageBytes("shop.v1.Front");
        assertThat(slow.peakQueuedBytes()).isPositive().isLessThanOrEqualTo(bound);

        byte[] body = in.readAllBytes();
        assertThat(1000 + body.length).isEqualTo(size);
        for (int i = 0; i < body.length; i += 4099) {
          int at = 1000 + i;
          assertThat(body[i]).as("byte %d", at).isEqualTo((byte) ('a' + (at % (64 * 1024)) % 26));
        }
        assertThat(slow.peakQueuedBytes()).isLessThanOrEqualTo(bound);
      }
    }
  }

  @Test
  void afterCloseNothingListens() {
    int port = ingress.address().getPort();
    ingress.close();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
  }
}
