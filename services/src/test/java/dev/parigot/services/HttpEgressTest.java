package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.proto.HttpProto.FetchRequest;
import dev.parigot.services.proto.HttpProto.FetchResponse;
import dev.parigot.services.proto.HttpProto.Header;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** parigot.http.v1.Client against a JDK HTTP server on loopback, through the Provider SPI. */
class HttpEgressTest {
  @TempDir Path dir;
  private Services services;
  private HttpServer server;
  private int port;
  private final byte[] big = new byte[200_000];

  @BeforeEach
  void start() throws Exception {
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hello",
        ex -> {
          byte[] body =
              ("hi " + ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("X-Who"))
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("X-Served", "yes");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.createContext(
        "/big",
        ex -> {
          ex.sendResponseHeaders(200, 0);
          ex.getResponseBody().write(big);
          ex.close();
        });
    server.createContext(
        "/redirect",
        ex -> {
          ex.getResponseHeaders().add("Location", "http://localhost:" + port + "/hello");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.createContext(
        "/slow",
        ex -> {
          try {
            Thread.sleep(3000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    port = server.getAddress().getPort();
    services = new Services(dir);
    services.services.admit(
        Manifest.parse(
            """
            app = "app"
            [program.main]
            wasm = "main.wasm"
            role = "main"
            requires = ["parigot.http.v1.Client"]
            http_allow = ["127.0.0.1:%d"]
            [program.other]
            wasm = "other.wasm"
            role = "main"
            """
                .formatted(port),
            dir.resolve("app.toml")));
  }

  @AfterEach
  void stop() {
    services.close();
    server.stop(0);
  }

  private FetchRequest.Builder fetch(String url) {
    return FetchRequest.newBuilder().setUrl(url);
  }

  @Test
  void anAllowedHostIsFetchedWithMethodHeadersAndStatus() {
    FetchResponse r =
        services
            .http()
            .call(
                "Fetch",
                fetch("http://127.0.0.1:" + port + "/hello")
                    .setMethod("PUT")
                    .addHeaders(Header.newBuilder().setName("X-Who").setValue("guest"))
                    .setBody(ByteString.copyFromUtf8("data"))
                    .build())
            .end(FetchResponse.parser());
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getBody().toStringUtf8()).isEqualTo("hi PUT guest");
    assertThat(r.getHeadersList())
        .contains(Header.newBuilder().setName("x-served").setValue("yes").build());
  }

  @Test
  void aLargeBodyArrivesInChunksTheFirstWithTheStatus() throws Exception {
    var call =
        services
            .http()
            .call("Fetch", fetch("http://127.0.0.1:" + port + "/big").setChunkBytes(65536).build());
    var body = new ByteArrayOutputStream();
    FetchResponse first = call.partial(FetchResponse.parser());
    assertThat(first.getStatus()).isEqualTo(200);
    assertThat(first.getBody().size()).isEqualTo(65536);
    first.getBody().writeTo(body);
    while (true) {
      var a = call.next();
      FetchResponse part;
      try {
        part = FetchResponse.parseFrom(a.payload());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertThat(part.getStatus()).isZero();
      assertThat(part.getBody().size()).isLessThanOrEqualTo(65536);
      part.getBody().writeTo(body);
      if (a.kind().equals("END")) {
        break;
      }
      assertThat(a.kind()).isEqualTo("PARTIAL");
    }
    assertThat(Arrays.equals(body.toByteArray(), big)).isTrue();
  }

  @Test
  void aHostPortNotInTheProgramsAllowListIsDenied() {
    // Same machine, other name: the allow-list is about what the URL names.
    assertThat(
            services
                .http()
                .call("Fetch", fetch("http://localhost:" + port + "/hello").build())
                .error(Code.PERMISSION_DENIED))
        .isEqualTo(
            "localhost:" + port + " is not in the http_allow of program 'main' of app 'app'");
    services
        .http()
        .call("Fetch", fetch("http://127.0.0.1:" + (port == 1 ? 2 : port - 1) + "/").build())
        .error(Code.PERMISSION_DENIED);
    services
        .http()
        .as(new dev.parigot.kernel.Caller("app", "other", 8))
        .call("Fetch", fetch("http://127.0.0.1:" + port + "/hello").build())
        .error(Code.PERMISSION_DENIED);
    services
        .http()
        .as(new dev.parigot.kernel.Caller("stranger", "main", 9))
        .call("Fetch", fetch("http://127.0.0.1:" + port + "/hello").build())
        .error(Code.PERMISSION_DENIED);
  }

  @Test
  void redirectsAreReturnedNotFollowed() {
    FetchResponse r =
        services
            .http()
            .call("Fetch", fetch("http://127.0.0.1:" + port + "/redirect").build())
            .end(FetchResponse.parser());
    assertThat(r.getStatus()).isEqualTo(302);
    assertThat(r.getHeadersList())
        .contains(
            Header.newBuilder()
                .setName("location")
                .setValue("http://localhost:" + port + "/hello")
                .build());
  }

  @Test
  void badRequestsAreInvalidArguments() {
    for (FetchRequest bad :
        new FetchRequest[] {
          fetch("ftp://127.0.0.1/x").build(),
          fetch("not a url").build(),
          fetch("http://u:p@127.0.0.1:" + port + "/").build(),
          fetch("http://127.0.0.1:" + port + "/").setMethod("GE T").build(),
          fetch("http://127.0.0.1:" + port + "/")
              .addHeaders(Header.newBuilder().setName("Host").setValue("evil"))
              .build(),
          fetch("http://127.0.0.1:" + port + "/").setTimeoutMs(-1).build(),
          fetch("http://127.0.0.1:" + port + "/").setChunkBytes(2 << 20).build()
        }) {
      services.http().call("Fetch", bad).error(Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void aSlowHostIsDeadlineExceededAndAClosedPortUnavailable() throws Exception {
    assertThat(
            services
                .http()
                .call(
                    "Fetch", fetch("http://127.0.0.1:" + port + "/slow").setTimeoutMs(200).build())
                .error(Code.DEADLINE_EXCEEDED))
        .endsWith("no response within 200 ms");
    int closed;
    try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    services.services.admit(
        Manifest.parse(
            """
            app = "app"
            [program.main]
            wasm = "main.wasm"
            role = "main"
            http_allow = ["127.0.0.1:*"]
            """,
            dir.resolve("app.toml")));
    services
        .http()
        .call("Fetch", fetch("http://127.0.0.1:" + closed + "/").build())
        .error(Code.UNAVAILABLE);
  }
}
