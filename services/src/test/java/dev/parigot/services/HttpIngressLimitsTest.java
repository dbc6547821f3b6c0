package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.App;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a slow or hostile client can hold of the HTTP ingress: raw sockets on 127.0.0.1 (and other
 * loopback addresses, as other clients) against the C handler guest, with timeouts of a fraction of
 * a second. After each attack a bystander's request must still get its answer.
 */
class HttpIngressLimitsTest {
  private static final Path HANDLER = Path.of("src/test/guests/handler.wasm").toAbsolutePath();
  // How long a test waits for an answer that should come within the ingress's timeouts.
  private static final int PATIENCE_MILLIS = 10_000;

  @TempDir Path dir;
  private KernelServices services;
  private Kernel kernel;
  private App app;
  private HttpSpec http;
  private final List<HttpIngress> ingresses = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

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
        max_headers = 20
        max_body_bytes = 1000
        timeout_ms = 2000
        header_timeout_ms = 300
        idle_timeout_ms = 300
        body_timeout_ms = 1000
        max_connections = 64
        max_connections_per_client = 64
        [[http.route]]
        prefix = "/api"
        service = "shop.v1.Front"

        [program.front]
        wasm = "%s"
        role = "service"
        exports = ["shop.v1.Front"]
        requires = ["parigot.http.v1.Body"]
        args = ["shop.v1.Front"]
        """
            .formatted(HANDLER));
    Manifest manifest = Manifest.load(file);
    services = KernelServices.builder().dataDir(dir.resolve("data")).build();
    kernel = services.install(Kernel.builder()).build();
    app = kernel.launch(manifest);
    http = manifest.section(HttpSection.KEY).orElseThrow();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    ingresses.forEach(HttpIngress::close);
    kernel.close();
    services.close();
  }

  private HttpIngress ingress(HttpSpec spec) {
    HttpIngress i = HttpIngress.start(spec, app, services);
    ingresses.add(i);
    return i;
  }

  /** A connection from loopback address {@code from}, as one client. */
  private Socket connect(HttpIngress ingress, String from) throws IOException {
    var s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(from, 0));
    s.connect(ingress.address());
    s.setSoTimeout(PATIENCE_MILLIS);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Everything the server sends until it closes the connection. */
  private static String answer(Socket s) throws IOException {
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /** The status line of one response, read without waiting for the connection to close. */
  private static String statusLine(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    var line = new StringBuilder();
    for (int c = in.read(); c != '\r' && c != -1; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }

  /** A request from a client that takes no part in the attack is served. */
  private void bystanderIsServed(HttpIngress ingress) throws IOException {
    try (Socket s = connect(ingress, "127.0.0.9")) {
      send(
          s,
          "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n");
      send(s, "hello");
      String r = answer(s);
      assertThat(r).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nhello");
    }
  }

  @Test
  void halfSentHeadsAreAnswered408AndClosedWithinTheHeaderTimeout() throws Exception {
    HttpIngress ingress = ingress(http);
    var slow = new ArrayList<Socket>();
    for (int i = 0; i < 50; i++) {
      Socket s = connect(ingress, "127.0.0.1");
      send(s, "GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      slow.add(s);
    }
    for (Socket s : slow) {
      // Read until the server closes; on a server without a header timeout this times out.
      assertThat(answer(s)).startsWith("HTTP/1.1 408 ").contains("Connection: close");
    }
    bystanderIsServed(ingress);
  }

  @Test
  void aHeadTrickledFasterThanAnyIdleTimeoutIsCutAtTheHeaderTimeout() throws Exception {
    HttpIngress ingress = ingress(http);
    Socket s = connect(ingress, "127.0.0.1");
    send(s, "GET /api/echo HTTP/1.1\r\nHost: x\r\n");
    int sent = 0;
    try {
      // One header byte every 20 ms: never idle for long, but the head never ends.
      while (sent < 1000 && s.getInputStream().available() == 0) {
        send(s, "X");
        sent++;
        Thread.sleep(20);
      }
    } catch (IOException closed) {
      // The server closed while a byte was on its way: also what is asked.
    }
    assertThat(sent).isLessThan(1000);
    assertThat(answer(s)).startsWith("HTTP/1.1 408 ");
    bystanderIsServed(ingress);
  }

  @Test
  void aBodyThatStopsComingIs408AfterTheIdleTimeout() throws Exception {
    HttpIngress ingress = ingress(http);
    Socket s = connect(ingress, "127.0.0.1");
    send(s, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n0123456789");
    String r = answer(s);
    assertThat(r)
        .startsWith("HTTP/1.1 408 ")
        .contains("Connection: close")
        .contains("no bytes of the request body came for 300 ms");
    bystanderIsServed(ingress);
  }

  @Test
  void aBodyTrickledWithinTheIdleTimeoutIsCutAtTheTotalBodyTimeout() throws Exception {
    HttpIngress ingress = ingress(http);
    Socket s = connect(ingress, "127.0.0.1");
    send(s, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    int sent = 0;
    try {
      // A byte every 20 ms would take 20 s; the body's 1 s budget ends it first.
      while (sent < 1000 && s.getInputStream().available() == 0) {
        send(s, "b");
        sent++;
        Thread.sleep(20);
      }
    } catch (IOException closed) {
      // The server closed while a byte was on its way.
    }
    assertThat(sent).isLessThan(1000);
    assertThat(answer(s))
        .startsWith("HTTP/1.1 408 ")
        .contains("the request body did not arrive within 1000 ms");
    bystanderIsServed(ingress);
  }

  @Test
  void anOversizedContentLengthIs413BeforeAByteOfTheBodyIsSent() throws Exception {
    HttpIngress ingress = ingress(http);
    Socket s = connect(ingress, "127.0.0.1");
    // The body never comes: a server that reads it first never answers.
    send(s, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n");
    assertThat(statusLine(s)).isEqualTo("HTTP/1.1 413 Content Too Large");
    assertThat(answer(s)).contains("Connection: close").endsWith("larger than 1000 bytes\n");

    // With Expect: 100-continue the client never has to send it.
    Socket polite = connect(ingress, "127.0.0.1");
    send(
        polite,
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            + "Content-Length: 1000000000\r\n\r\n");
    assertThat(statusLine(polite)).isEqualTo("HTTP/1.1 413 Content Too Large");
    bystanderIsServed(ingress);
  }

  @Test
  void aChunkedBodyOverTheLimitIs413AndItsConnectionCloses() throws Exception {
    HttpIngress ingress = ingress(http);
    Socket s = connect(ingress, "127.0.0.1");
    String chunk = "a".repeat(600);
    send(
        s,
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "258\r\n"
            + chunk
            + "\r\n258\r\n"
            + chunk
            + "\r\n");
    assertThat(answer(s)).startsWith("HTTP/1.1 413 ").contains("Connection: close");
    bystanderIsServed(ingress);
  }

  @Test
  void headersOverTheSizeLimitOrTooManyAre431NotAReset() throws Exception {
    HttpIngress ingress = ingress(http);
    for (String head :
        List.of(
            "X-Big: " + "h".repeat(5000) + "\r\n",
            // Larger than the JDK server's own 380 KiB limit, which reset the connection.
            "X-Big: " + "h".repeat(400 * 1024) + "\r\n",
            "X-Many: 1\r\n".repeat(21),
            "X-Many: 1\r\n".repeat(201))) {
      Socket s = connect(ingress, "127.0.0.1");
      try {
        send(s, "GET /api/echo HTTP/1.1\r\nHost: x\r\n" + head + "\r\n");
      } catch (IOException e) {
        // Refused midway: the answer must still be readable.
      }
      assertThat(statusLine(s)).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
    }
    // Twenty fields of a small head are fine.
    Socket ok = connect(ingress, "127.0.0.1");
    send(ok, "GET /api/echo HTTP/1.1\r\nHost: x\r\n" + "X-Many: 1\r\n".repeat(19) + "\r\n");
    assertThat(statusLine(ok)).isEqualTo("HTTP/1.1 200 OK");
    bystanderIsServed(ingress);
  }

  @Test
  void connectionsOverTheClientsLimitGet503AtOnceAndOthersAreServed() throws Exception {
    HttpIngress ingress =
        ingress(http.withClients(new HttpSpec.Clients(20, 5000, 5000, 5000, 64, 4)));
    var held = new ArrayList<Socket>();
    for (int i = 0; i < 4; i++) {
      held.add(connect(ingress, "127.0.0.1"));
    }
    // Accepted in the order they connected: the fifth is one too many, and told so at once.
    Socket fifth = connect(ingress, "127.0.0.1");
    assertThat(answer(fifth)).startsWith("HTTP/1.1 503 ").endsWith("too many connections\n");
    bystanderIsServed(ingress);
    // The held connections are served.
    send(held.getFirst(), "GET /api/echo HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(statusLine(held.getFirst())).isEqualTo("HTTP/1.1 200 OK");

    // Once they close, the client may connect again.
    for (Socket s : held) {
      s.close();
    }
    String status = "";
    for (int i = 0; i < 1000 && !status.startsWith("HTTP/1.1 200"); i++) {
      try (Socket again = connect(ingress, "127.0.0.1")) {
        send(again, "GET /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        status = statusLine(again);
      } catch (IOException refusedMidway) {
        status = "";
      }
      if (!status.startsWith("HTTP/1.1 200")) {
        Thread.sleep(10); // polling a condition the server does not announce
      }
    }
    assertThat(status).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void connectionsOverTheTotalLimitGet503() throws Exception {
    HttpIngress ingress =
        ingress(http.withClients(new HttpSpec.Clients(20, 5000, 5000, 5000, 6, 3)));
    for (String from : List.of("127.0.0.1", "127.0.0.2")) {
      for (int i = 0; i < 3; i++) {
        connect(ingress, from);
      }
    }
    Socket third = connect(ingress, "127.0.0.3");
    assertThat(answer(third)).startsWith("HTTP/1.1 503 ");
  }

  @Test
  void aRequestThatCouldBeFramedTwoWaysIsRefused() throws Exception {
    HttpIngress ingress = ingress(http);
    String post = "POST /api/echo HTTP/1.1\r\nHost: x\r\n";
    for (String[] c :
        List.of(
            new String[] {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "400"},
            new String[] {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "400"},
            new String[] {"Content-Length: 5\r\nContent-Length: 5\r\n", "400"},
            new String[] {"Content-Length: 5, 5\r\n", "400"},
            new String[] {"Content-Length: +5\r\n", "400"},
            new String[] {"Transfer-Encoding: chunked, identity\r\n", "501"},
            new String[] {"Transfer-Encoding: xchunked\r\n", "501"},
            new String[] {"Transfer-Encoding : chunked\r\n", "400"},
            new String[] {"X-A: 1\r\n Transfer-Encoding: chunked\r\n", "400"},
            new String[] {"X-A: 1\rTransfer-Encoding: chunked\r\n", "400"})) {
      Socket s = connect(ingress, "127.0.0.1");
      send(s, post + c[0] + "\r\nhello");
      assertThat(answer(s)).as(c[0]).startsWith("HTTP/1.1 " + c[1] + " ");
    }
    bystanderIsServed(ingress);
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
    HttpIngress ingress = ingress(http);
    Socket s = connect(ingress, "127.0.0.1");
    send(s, "GET /api/echo HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(statusLine(s)).isEqualTo("HTTP/1.1 200 OK");
    // Nothing more is sent: the server closes without a word (no 408 for a request never begun);
    // a server that keeps it open makes answer() time out.
    assertThat(answer(s)).doesNotContain("HTTP/1.1 408");
  }

  @Test
  void aClientThatStopsReadingLosesItsConnectionAfterTheIdleTimeout() throws Exception {
    // One connection per client: while the stalled one is open, the next is refused.
    HttpIngress ingress =
        ingress(http.withClients(new HttpSpec.Clients(20, 5000, 300, 5000, 64, 1)));
    int size = 64 << 20;
    Socket s = connect(ingress, "127.0.0.1");
    send(s, "GET /api/big?" + size + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(statusLine(s)).isEqualTo("HTTP/1.1 200 OK");
    // The client reads no more: the socket buffers fill, the server's write waits, and 300 ms
    // later the server drops the connection, which frees the client's one slot.
    String status = "HTTP/1.1 503 Service Unavailable";
    for (int i = 0; i < 2000 && status.startsWith("HTTP/1.1 503"); i++) {
      try (Socket next = connect(ingress, "127.0.0.1")) {
        send(next, "GET /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        status = statusLine(next);
      } catch (IOException refusedMidway) {
        status = "HTTP/1.1 503";
      }
      if (status.startsWith("HTTP/1.1 503")) {
        Thread.sleep(10); // polling a condition the server does not announce
      }
    }
    assertThat(status).isEqualTo("HTTP/1.1 200 OK");
    // What was sent before the drop is there to read, and then the connection ends, short.
    long got = 0;
    try {
      got = s.getInputStream().transferTo(OutputStream.nullOutputStream());
    } catch (IOException reset) {
      // Ended by a reset: cut short all the same.
    }
    assertThat(got).isLessThan(size);
    bystanderIsServed(ingress);
  }
}
