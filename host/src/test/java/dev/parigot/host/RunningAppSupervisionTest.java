package dev.parigot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunningApp#restart}, {@link RunningApp#upgrade} and {@link RunningApp#failure} on the
 * examples' C guests, under real HTTP requests.
 */
class RunningAppSupervisionTest {
  private static final Path EXAMPLES = AppHostTest.EXAMPLES;

  @TempDir Path dir;

  private final List<String> endings = new CopyOnWriteArrayList<>();

  private RunningApp start(String toml) throws IOException {
    Path file = dir.resolve("app.toml");
    Files.writeString(file, toml.replace("%s", EXAMPLES.toString()));
    Kernel.Output output =
        new Kernel.Output() {
          @Override
          public void line(String process, boolean stderr, String line) {}

          @Override
          public void ended(String process, int code, java.util.Optional<String> reason) {
            endings.add(process + " " + code + reason.map(r -> " " + r).orElse(""));
          }
        };
    return AppHost.builder(Manifest.load(file)).output(output).build().start();
  }

  private RunningApp httpApp() throws IOException {
    return start(
        """
        app = "web"
        [http]
        listen = "127.0.0.1:0"
        [[http.route]]
        prefix = "/"
        service = "web.v1.Front"

        [program.greeter]
        wasm = "%s/http/greeter.wasm"
        role = "service"
        exports = ["web.v1.Greeter"]
        replicas = 2

        [program.front]
        wasm = "%s/http/front.wasm"
        role = "service"
        exports = ["web.v1.Front"]
        requires = ["web.v1.Greeter"]
        """);
  }

  private static String hello(HttpClient client, InetSocketAddress address)
      throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + address.getPort() + "/hello/parigot");
    var response = client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  @Test
  void anUpgradeAndARestartUnderSteadyHttpRequestsLoseNone() throws Exception {
    try (RunningApp app = httpApp();
        HttpClient client = HttpClient.newHttpClient()) {
      InetSocketAddress address = app.httpAddress().orElseThrow();
      Path v2 = dir.resolve("greeter-v2.wasm");
      Files.copy(EXAMPLES.resolve("http/greeter.wasm"), v2);
      var stop = new AtomicBoolean();
      var answers = new CopyOnWriteArrayList<String>();
      Thread requests =
          Thread.ofPlatform()
              .start(() -> {
                try {
                  while (!stop.get()) {
                    answers.add(hello(client, address));
                  }
                } catch (IOException | InterruptedException e) {
                  answers.add("failed: " + e);
                }
              });
      try {
        app.upgrade("greeter", v2);
        app.restart("front");
      } finally {
        stop.set(true);
        requests.join();
      }
      assertThat(answers).isNotEmpty().containsOnly("200 Hello, parigot!\n");
      assertThat(hello(client, address)).isEqualTo("200 Hello, parigot!\n");
      assertThat(endings)
          .filteredOn(e -> e.contains("replaced by an upgrade of program 'greeter'"))
          .hasSize(2);
      assertThat(endings)
          .filteredOn(e -> e.contains("replaced by a restart of program 'front'"))
          .hasSize(1);
    }
  }

  @Test
  void aBadUpgradeIsRefusedWithAClearErrorAndTheAppServesOn() throws Exception {
    try (RunningApp app = httpApp();
        HttpClient client = HttpClient.newHttpClient()) {
      InetSocketAddress address = app.httpAddress().orElseThrow();
      Path junk = dir.resolve("junk.wasm");
      Files.writeString(junk, "not a module");
      assertThatThrownBy(() -> app.upgrade("greeter", junk))
          .isInstanceOf(ModuleRefusedException.class)
          .hasMessageContaining("junk.wasm");
      assertThatThrownBy(() -> app.upgrade("greeter", dir.resolve("absent.wasm")))
          .isInstanceOf(ModuleRefusedException.class)
          .hasMessageContaining("program 'greeter': cannot read");
      assertThatThrownBy(() -> app.upgrade("nobody", junk))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("app 'web' has no program 'nobody'");
      assertThatThrownBy(() -> app.restart("nobody"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("app 'web' has no program 'nobody'");
      assertThat(hello(client, address)).isEqualTo("200 Hello, parigot!\n");
      assertThat(app.failure()).isEmpty();
    }
  }

  @Test
  void aClosedAppCannotBeRestarted() throws Exception {
    RunningApp app = httpApp();
    app.close();
    assertThatThrownBy(() -> app.restart("greeter"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("app 'web' no longer runs");
  }

  @Test
  void anAppWhoseServiceEndsOnEveryStartFailsNamingIt() throws Exception {
    // hello's main, run as a service that may call nothing: it ends as soon as it starts.
    try (RunningApp app =
        start(
            """
            app = "crashy"
            [program.quitter]
            wasm = "%s/hello/main.wasm"
            role = "service"
            exports = ["x.v1.Never"]
            restart = "always"
            restart_delay_ms = 1
            max_restarts = 2
            """)) {
      assertThat(app.awaitMains(Duration.ofSeconds(60))).contains(70);
      assertThat(app.failure())
          .hasValueSatisfying(f ->
              assertThat(f).startsWith("program 'quitter' of app 'crashy' was restarted 2 times"));
      assertThat(endings).filteredOn(e -> e.startsWith("quitter[")).hasSize(3);
    }
  }
}
