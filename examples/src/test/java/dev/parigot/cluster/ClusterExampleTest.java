package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.cli.Main;
import dev.parigot.kernel.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
