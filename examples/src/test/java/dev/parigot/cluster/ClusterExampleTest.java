package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cli.Main;
import dev.parigot.kernel.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs examples/cluster as its README does: a nats-server, the two back nodes, then {@code parigot
 * run app.toml --node front}, on a copy of the example (and of the kv example's guests it uses) so
 * that the nodes' data lands in a temporary folder. The back nodes run in this JVM, the front
 * through the command line's own entry point.
 */
class ClusterExampleTest {
  @TempDir Path dir;

  @Test
  void theFrontDoorCallsTheCounterOnTheBackNodesThroughNats() throws Exception {
    copy(Path.of("cluster"), dir.resolve("cluster"));
    copy(Path.of("kv"), dir.resolve("kv"));
    try (var nats = NatsServer.start(dir.resolve("nats"))) {
      Path app = dir.resolve("cluster").resolve("app.toml");
      Files.writeString(app, Files.readString(app).replace("nats://127.0.0.1:4222", nats.url()));
      Manifest manifest = Manifest.load(app);
      try (var back1 = ClusterNode.start(manifest, "back-1", (p, e, l) -> {}, Optional.empty());
          var back2 = ClusterNode.start(manifest, "back-2", (p, e, l) -> {}, Optional.empty())) {
        var out = new StringWriter();
        var err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("run", app.toString(), "--node", "front");

        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(
                Pattern.compile("main\\[1\\]: visits: [1-6]\n").matcher(out.toString()).results())
            .hasSize(6);
        assertThat(out.toString()).contains("main[1]: visits is 6 after 6 increments");
        assertThat(err.toString()).contains("node 'front' of app 'cluster' is running");
      }
    }
  }

  @Test
  void theHttpFrontDoorServesOnItsNodeWhileTheHandlerRunsOnTheBackNodes() throws Exception {
    copy(Path.of("cluster"), dir.resolve("cluster"));
    copy(Path.of("http"), dir.resolve("http"));
    try (var nats = NatsServer.start(dir.resolve("nats"))) {
      Path app = dir.resolve("cluster").resolve("http.toml");
      String listen = "listen = \"127.0.0.1:8080\"";
      assertThat(Files.readString(app)).contains(listen);
      Files.writeString(
          app,
          Files.readString(app)
              .replace("nats://127.0.0.1:4222", nats.url())
              .replace(listen, "listen = \"127.0.0.1:0\""));
      Manifest manifest = Manifest.load(app);
      try (var back1 = ClusterNode.start(manifest, "back-1", (p, e, l) -> {}, Optional.empty());
          var back2 = ClusterNode.start(manifest, "back-2", (p, e, l) -> {}, Optional.empty());
          var front = ClusterNode.start(manifest, "front", (p, e, l) -> {}, Optional.empty());
          HttpClient client = HttpClient.newHttpClient()) {
        assertThat(back1.httpAddress()).isEmpty();
        String base = "http://127.0.0.1:" + front.httpAddress().orElseThrow().getPort();
        for (int i = 0; i < 4; i++) {
          HttpResponse<String> hello =
              client.send(
                  HttpRequest.newBuilder(URI.create(base + "/hello/parigot")).build(),
                  BodyHandlers.ofString());
          assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
          assertThat(hello.body()).isEqualTo("Hello, parigot!\n");
        }
        HttpResponse<String> counted =
            client.send(
                HttpRequest.newBuilder(URI.create(base + "/count/3")).build(),
                BodyHandlers.ofString());
        assertThat(counted.body()).isEqualTo("1\n2\n3\n");
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
