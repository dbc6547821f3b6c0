package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cli.Main;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.HttpIngress;
import dev.parigot.services.HttpSection;
import dev.parigot.services.HttpSpec;
import dev.parigot.services.KernelServices;
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
 * test program as {@code ./parigot test examples/http/app.toml} does, on a copy of the example.
 */
class HttpExampleTest {
  private static final Path APP = Path.of("http", "app.toml");

  @TempDir Path dir;

  @Test
  void theFrontDoorTestPassesEveryCase() throws Exception {
    try (var files = Files.list(APP.getParent())) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("test", dir.resolve("app.toml").toString());

    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .contains("  PASS  GET /hello/NAME answers 200 with the greeter's greeting (8 checks, ")
        .contains("  PASS  a path the front door does not know is 404 (12 checks, ")
        .contains("  PASS  a name the greeter refuses is 400 (9 checks, ")
        .contains("8 cases: 8 passed, 0 failed, 0 skipped\n");
  }

  @Test
  void theFrontDoorAnswersWithTheBackendsGreeting() throws Exception {
    Manifest manifest = Manifest.load(APP);
    HttpSpec http = manifest.section(HttpSection.KEY).orElseThrow();
    assertThat(http.port()).isEqualTo(8080);
    HttpSpec ephemeral =
        new HttpSpec(
            http.host(),
            0,
            http.routes(),
            http.maxHeaderBytes(),
            http.maxBodyBytes(),
            http.timeoutMillis());
    try (KernelServices services = KernelServices.builder().dataDir(dir.resolve("data")).build();
        Kernel kernel = services.install(Kernel.builder().output((p, err, line) -> {})).build();
        HttpIngress ingress = HttpIngress.start(ephemeral, kernel.launch(manifest), services);
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
