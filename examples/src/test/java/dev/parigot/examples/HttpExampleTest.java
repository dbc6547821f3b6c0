package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cli.Main;
import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs examples/http as {@code ./parigot run examples/http/app.toml} does, on an ephemeral port
 * instead of the manifest's 8080, and asks it what the README's curl command asks; and runs its
 * test program as {@code ./parigot test examples/http/app.toml} does; both on a copy of the
 * example, so its data directory lands in a temporary folder.
 */
class HttpExampleTest {
  @TempDir Path dir;

  @Test
  void theFrontDoorTestPassesEveryCase() throws Exception {
    Examples.copy("http", dir);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("test", dir.resolve("app.toml").toString());

    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .contains("  PASS  GET /hello/NAME answers 200 with the greeter's greeting (10 checks, ")
        .contains("  PASS  GET /count/N streams N lines, one part each (")
        .contains("  PASS  a path the front door does not know is 404 (15 checks, ")
        .contains("  PASS  a name the greeter refuses is 400 (21 checks, ")
        .contains("  PASS  a response refuses a bad header, too many headers and a bad status (")
        .contains("18 cases: 18 passed, 0 failed, 0 skipped\n");
  }

  @Test
  void theFrontDoorAnswersWithTheBackendsGreeting() throws Exception {
    Path copy = Examples.copy("http", dir).resolve("app.toml");
    String toml = Files.readString(copy);
    String listen = "listen = \"127.0.0.1:8080\"";
    assertThat(toml).contains(listen);
    Files.writeString(copy, toml.replace(listen, "listen = \"127.0.0.1:0\""));
    AppHost host = AppHost.builder(Manifest.load(copy)).output((p, err, line) -> {}).build();
    try (RunningApp app = host.start();
        HttpClient client = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + app.httpAddress().orElseThrow().getPort();

      HttpResponse<String> hello =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/hello/parigot")).build(),
              BodyHandlers.ofString());
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("Hello, parigot!\n");
      assertThat(hello.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");

      HttpResponse<String> tooLong =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/hello/" + "x".repeat(65))).build(),
              BodyHandlers.ofString());
      assertThat(tooLong.statusCode()).isEqualTo(400);

      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/hello/x"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);

      HttpResponse<String> missing =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/nothing")).build(),
              BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(404);

      HttpResponse<String> loud =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/hello/a%20b?shout=yes")).build(),
              BodyHandlers.ofString());
      assertThat(loud.body()).isEqualTo("HELLO, A B!\n");

      // Streamed: chunked, each line a part of its own.
      HttpResponse<String> counted =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/count/3")).build(),
              BodyHandlers.ofString());
      assertThat(counted.statusCode()).isEqualTo(200);
      assertThat(counted.body()).isEqualTo("1\n2\n3\n");
      assertThat(counted.headers().firstValue("transfer-encoding")).contains("chunked");
      assertThat(counted.headers().firstValue("content-type"))
          .contains("text/plain; charset=utf-8");
    }
  }
}
