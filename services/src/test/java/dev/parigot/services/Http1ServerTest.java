package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's HTTP/1.1 server on its own, through raw sockets: framing of requests and responses,
 * keep-alive, and what it refuses. Its handler answers with the method, path, query and body.
 */
class Http1ServerTest {
  private Http1Server server;

  @BeforeEach
  void start() throws IOException {
    var spec =
        new HttpSpec("127.0.0.1", 0, List.of(), 4096, 1 << 20, 5000)
            .withClients(new HttpSpec.Clients(20, 2000, 2000, 5000, 16, 16));
    server = Http1Server.start(new InetSocketAddress("127.0.0.1", 0), spec, Http1ServerTest::echo);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static void echo(Http1Exchange ex) throws IOException {
    if (ex.path().equals("/throw")) {
      throw new IOException("the handler fails");
    }
    byte[] body;
    try {
      body = ex.body().readAllBytes();
    } catch (Http1Exception e) {
      ex.sendHeaders(e.status(), -1);
      ex.close();
      return;
    }
    String text =
        ex.method() + " " + ex.path() + " " + ex.query() + " " + new String(body, "ISO-8859-1");
    byte[] out = text.getBytes(StandardCharsets.ISO_8859_1);
    ex.addHeader("X-Echo", "1");
    // "/stream" answers without a length: chunked, or to the end of the connection in HTTP/1.0.
    ex.sendHeaders(200, ex.path().equals("/stream") ? 0 : out.length);
    ex.responseBody().write(out);
    ex.close();
  }

  private Socket connect() throws IOException {
    var s = new Socket("127.0.0.1", server.address().getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** One response's head (up to the blank line), without reading further. */
  private static String head(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    var b = new StringBuilder();
    while (!b.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  private static String bytes(Socket s, int n) throws IOException {
    return new String(s.getInputStream().readNBytes(n), StandardCharsets.ISO_8859_1);
  }

  private static String rest(Socket s) throws IOException {
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
    try (Socket s = connect()) {
      send(
          s,
          "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"
              + "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
              + "PUT /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz");
      assertThat(head(s)).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 11\r\n");
      assertThat(bytes(s, 11)).isEqualTo("GET /a x=1 ");
      assertThat(head(s)).contains("Content-Length: 14\r\n");
      assertThat(bytes(s, 14)).isEqualTo("POST /b  abcde");
      assertThat(head(s)).contains("X-Echo: 1\r\n");
      assertThat(bytes(s, 11)).isEqualTo("PUT /c  xyz");
    }
  }

  @Test
  void aResponseOfUnknownLengthIsChunkedForHttp11AndEndsTheConnectionForHttp10() throws Exception {
    try (Socket s = connect()) {
      send(s, "GET /stream HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(head(s)).contains("Transfer-Encoding: chunked\r\n");
      assertThat(bytes(s, "d\r\nGET /stream  \r\n0\r\n\r\n".length()))
          .isEqualTo("d\r\nGET /stream  \r\n0\r\n\r\n");
    }
    try (Socket s = connect()) {
      send(s, "GET /stream HTTP/1.0\r\n\r\n");
      String r = rest(s);
      assertThat(r).contains("Connection: close\r\n").doesNotContain("Transfer-Encoding");
      assertThat(r).endsWith("\r\n\r\nGET /stream  ");
    }
  }

  @Test
  void aHeadResponseHasNoBody() throws Exception {
    try (Socket s = connect()) {
      send(s, "HEAD /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
      String r = rest(s);
      assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 9\r\n");
      assertThat(r).endsWith("\r\n\r\n");
    }
  }

  @Test
  void aClientThatExpectsContinueIsToldToSendItsBody() throws Exception {
    try (Socket s = connect()) {
      send(s, "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
      assertThat(head(s)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
      send(s, "ok");
      assertThat(head(s)).startsWith("HTTP/1.1 200 ");
      assertThat(bytes(s, 11)).isEqualTo("POST /e  ok");
    }
  }

  @Test
  void aHandlerThatFailsDropsItsConnectionAndOthersAreServed() throws Exception {
    try (Socket s = connect()) {
      send(s, "GET /throw HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(rest(s)).isEmpty();
    }
    try (Socket s = connect()) {
      send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(head(s)).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void malformedRequestsAreRefusedWithTheirStatus() throws Exception {
    for (String[] c :
        List.of(
            new String[] {"GET /" + "a".repeat(5000) + " HTTP/1.1\r\n\r\n", "414"},
            new String[] {"GET / HTTP/2.0\r\n\r\n", "505"},
            new String[] {"GET / HTTP/1.1 extra\r\n\r\n", "400"},
            new String[] {"GET  / HTTP/1.1\r\n\r\n", "400"},
            new String[] {"G(T / HTTP/1.1\r\n\r\n", "400"},
            new String[] {"GET a/b HTTP/1.1\r\n\r\n", "400"},
            new String[] {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", "400"},
            new String[] {"GET / HTTP/1.1\r\nX: a\u0001b\r\n\r\n", "400"},
            new String[] {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"},
            new String[] {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "400"})) {
      try (Socket s = connect()) {
        send(s, c[0]);
        assertThat(rest(s)).as(c[0]).startsWith("HTTP/1.1 " + c[1] + " ");
      }
    }
  }

  @Test
  void anAbsoluteFormTargetIsServedByItsPath() throws Exception {
    try (Socket s = connect()) {
      send(s, "GET http://h/p?q HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
      assertThat(rest(s)).endsWith("GET /p q ");
    }
  }
}
