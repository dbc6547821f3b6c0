package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.HttpSpec;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.HttpIngress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs examples/http as {@code ./parigot run examples/http/app.toml} does, on an ephemeral port
 * instead of the manifest's 8080, and asks it what the README's curl command asks.
 */
class HttpExampleTest {
  private static final Path APP = Path.of("http", "app.toml");

  @Test
  void theFrontDoorAnswersWithTheBackendsGreeting() throws Exception {
    Manifest manifest = Manifest.load(APP);
    HttpSpec http = manifest.http().orElseThrow();
    assertThat(http.port()).isEqualTo(8080);
    HttpSpec ephemeral =
        new HttpSpec(
            http.host(),
            0,
            http.routes(),
            http.maxHeaderBytes(),
            http.maxBodyBytes(),
            http.timeoutMillis());
    try (Kernel kernel = Kernel.builder().output((p, err, line) -> {}).build();
        HttpIngress ingress = HttpIngress.start(ephemeral, kernel.launch(manifest));
        HttpClient client = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + ingress.address().getPort();

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
    }
  }
}
