package dev.parigot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.engine.spi.Engine;
import dev.parigot.engine.spi.ModuleCache;
import dev.parigot.errors.DeniedException;
import dev.parigot.errors.InUseException;
import dev.parigot.errors.ModuleRefusedException;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.TestReport;
import dev.parigot.services.TestReport.Outcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app host running the examples' C guests (committed .wasm under examples/) as {@code parigot
 * run} and {@code parigot test} do, on real sockets, with data in a temporary directory.
 */
class AppHostTest {
  static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** Lines shown, as "process: line", and endings, as "ended process code reason". */
  private final List<String> shown = new CopyOnWriteArrayList<>();

  private final Kernel.Output output =
      new Kernel.Output() {
        @Override
        public void line(String process, boolean stderr, String line) {
          shown.add(process + (stderr ? " ! " : ": ") + line);
        }

        @Override
        public void ended(String process, int code, Optional<String> killReason) {
          shown.add("ended " + process + " " + code + killReason.map(r -> " " + r).orElse(""));
        }
      };

  private AppHost host(Manifest manifest) {
    return AppHost.builder(manifest).output(output).build();
  }

  /** The files of examples/NAME copied to the temporary directory, where its data then goes. */
  private Manifest example(String name, String manifest) throws IOException {
    try (var files = Files.list(EXAMPLES.resolve(name))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return Manifest.load(dir.resolve(manifest));
  }

  /** A manifest written to the temporary directory; %s in {@code toml} is the examples folder. */
  private Manifest manifest(String toml) throws IOException {
    Path file = dir.resolve("app.toml");
    Files.writeString(file, toml.replace("%s", EXAMPLES.toString()));
    return Manifest.load(file);
  }

  /** examples/http's greeter and front door, served on {@code listen}. */
  private Manifest httpApp(String listen) throws IOException {
    return httpApp(listen, "");
  }

  /** The same, the front door also requiring {@code required} (quoted, comma first). */
  private Manifest httpApp(String listen, String required) throws IOException {
    return manifest(
        """
        app = "web"
        [http]
        listen = "LISTEN"
        [[http.route]]
        prefix = "/"
        service = "web.v1.Front"

        [program.greeter]
        wasm = "%s/http/greeter.wasm"
        role = "service"
        exports = ["web.v1.Greeter"]

        [program.front]
        wasm = "%s/http/front.wasm"
        role = "service"
        exports = ["web.v1.Front"]
        requires = ["web.v1.Greeter"REQUIRED]
        """
            .replace("LISTEN", listen)
            .replace("REQUIRED", required));
  }

  private static HttpResponse<String> get(InetSocketAddress address, String path)
      throws IOException, InterruptedException {
    try (HttpClient client = HttpClient.newHttpClient()) {
      URI uri = URI.create("http://127.0.0.1:" + address.getPort() + path);
      return client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
    }
  }

  @Test
  void startRunsTheAppAndAwaitMainsReturnsZeroWhenTheMainsSucceed() throws Exception {
    AppHost host = host(example("hello", "app.toml"));

    try (RunningApp app = host.start()) {
      assertThat(app.name()).isEqualTo("hello");
      assertThat(app.awaitMains(LIMIT)).contains(0);
      assertThat(app.httpAddress()).isEmpty();
    }
    assertThat(shown).anyMatch(l -> l.matches("main\\[\\d+\\]: Hello, parigot!"));
    // hello uses no kernel service: nothing was opened or created for them.
    assertThat(dir.resolve(".parigot")).doesNotExist();
  }

  @Test
  void theKernelServicesAnAppRequiresKeepTheirDataInTheManifestsDataDirectory() throws Exception {
    AppHost host = host(example("kv", "app.toml"));

    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(LIMIT)).contains(0);
    }
    assertThat(dir.resolve(".parigot/kv/store.db")).exists();
    // No program of the app requires parigot.log.v1.Log.
    assertThat(dir.resolve(".parigot/kv/log.db")).doesNotExist();
  }

  @Test
  void theEngineGivenToTheHostCompilesTheAppsModules() throws Exception {
    Path cache = dir.resolve("cache");
    Engine engine =
        ServiceLoader.load(Engine.class)
            .findFirst()
            .orElseThrow()
            .withCache(ModuleCache.at(cache, 64 << 20));
    AppHost host =
        AppHost.builder(example("hello", "app.toml")).output(output).engine(engine).build();

    try (RunningApp app = host.start()) {
      assertThat(app.awaitMains(LIMIT)).contains(0);
    }
    try (var entries = Files.list(cache)) {
      assertThat(entries).as("greeter and main, compiled by that engine").hasSize(2);
    }
  }

  @Test
  void awaitMainsReturnsTheExitCodeOfAMainThatFailed() throws Exception {
    // The greeter refuses a request larger than its max_message_bytes; main then exits 1.
    Manifest manifest =
        manifest(
            """
            app = "hello"
            [program.greeter]
            wasm = "%s/hello/greeter.wasm"
            role = "service"
            exports = ["hello.v1.Greeter"]
            limits = { max_message_bytes = 64 }

            [program.main]
            wasm = "%s/hello/main.wasm"
            role = "main"
            requires = ["hello.v1.Greeter"]
            args = ["NAME"]
            """
                .replace("NAME", "x".repeat(100)));

    try (RunningApp app = host(manifest).start()) {
      assertThat(app.awaitMains(LIMIT)).contains(1);
    }
    assertThat(shown).anyMatch(l -> l.matches("main\\[\\d+\\] ! .*main: Greet: .*"));
  }

  @Test
  void anAppWithAnHttpTableServesOnARealSocketAndReportsItsAddress() throws Exception {
    try (RunningApp app = host(httpApp("127.0.0.1:0")).start()) {
      InetSocketAddress address = app.httpAddress().orElseThrow();
      assertThat(address.getPort()).isPositive();

      HttpResponse<String> hello = get(address, "/hello/parigot");

      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("Hello, parigot!\n");
      assertThat(app.awaitMains(Duration.ofMillis(1))).as("serves until closed").isEmpty();
    }
  }

  @Test
  void closingStopsTheIngressEveryProcessAndTheServices() throws Exception {
    // The front door requires kv, so its database is open while the app runs.
    RunningApp app = host(httpApp("127.0.0.1:0", ", \"parigot.kv.v1.KV\"")).start();
    InetSocketAddress address = app.httpAddress().orElseThrow();
    assertThat(get(address, "/hello/x").statusCode()).isEqualTo(200);
    // SQLite keeps a WAL file while a connection to the database is open.
    Path wal = dir.resolve(".parigot/web/store.db-wal");
    assertThat(wal).exists();

    app.close();

    assertThatThrownBy(() -> new Socket("127.0.0.1", address.getPort()).close())
        .isInstanceOf(ConnectException.class);
    assertThat(shown)
        .anyMatch(l -> l.matches("ended greeter\\[\\d+\\] 70 the kernel is shutting down"))
        .anyMatch(l -> l.matches("ended front\\[\\d+\\] 70 the kernel is shutting down"));
    assertThat(wal).as("the services closed their databases").doesNotExist();
    // An app without main ends its wait once closed; closing again changes nothing.
    assertThat(app.awaitMains(LIMIT)).contains(0);
    app.close();
  }

  @Test
  @Timeout(120)
  void aJvmStoppedWhileTheAppRunsRunsTheNoticeThenClosesTheApp() throws Exception {
    Path manifest = httpApp("127.0.0.1:0").file();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ShutdownChild.class.getName(),
                manifest.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    List<String> said = new ArrayList<>();
    try (var in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String first = in.readLine();
      assertThat(first).as("the child's first line").startsWith("serving ");
      int port = Integer.parseInt(first.substring("serving ".length()));
      assertThat(get(new InetSocketAddress(port), "/hello/z").body()).isEqualTo("Hello, z!\n");

      // SIGTERM, as a Ctrl-C would stop it, keeping our end of its stdout open.
      assertThat(child.toHandle().destroy()).isTrue();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        said.add(line);
      }
      assertThat(child.waitFor()).as("the JVM's exit code on SIGTERM").isEqualTo(143);
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .isInstanceOf(ConnectException.class);
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertThat(said).first().isEqualTo("notice");
    assertThat(said)
        .anyMatch(l -> l.matches("ended greeter\\[\\d+\\] 70 the kernel is shutting down"))
        .anyMatch(l -> l.matches("ended front\\[\\d+\\] 70 the kernel is shutting down"));
  }

  @Test
  void testModeReportsPassedCasesAndTheirJUnitXml() throws Exception {
    AppHost host = host(example("files", "app.toml"));

    TestReport report;
    try (RunningTests tests = host.startTests()) {
      assertThat(tests.awaitTests(LIMIT)).isTrue();
      report = tests.report();
    }

    assertThat(report.passed()).isTrue();
    assertThat(report.cases()).isEqualTo(8);
    assertThat(report.count(Outcome.PASSED)).isEqualTo(8);
    assertThat(report.summary()).contains("8 cases: 8 passed, 0 failed, 0 skipped\n");
    assertThat(report.junitXml()).contains("name=\"files\"").contains("failures=\"0\"");
    // The test program had its files directory, and cleaned up.
    assertThat(dir.resolve(".parigot/files/files/files_test")).isEmptyDirectory();
  }

  @Test
  void testModeReportsFailedCasesAndTheirJUnitXml() throws Exception {
    AppHost host = host(example("files", "failing.toml"));

    TestReport report;
    try (RunningTests tests = host.startTests()) {
      assertThat(tests.awaitTests(LIMIT)).isTrue();
      report = tests.report();
    }

    assertThat(report.passed()).isFalse();
    assertThat(report.count(Outcome.PASSED)).isEqualTo(1);
    assertThat(report.count(Outcome.FAILED)).isEqualTo(2);
    assertThat(report.junitXml()).contains("failures=\"2\"").contains("<failure");
    assertThat(shown).anyMatch(l -> l.matches("(?s)ended failing_test\\[\\d+\\] 70 trap: .*"));
  }

  @Test
  void testModeRefusesAnAppWithoutTestPrograms() throws IOException {
    AppHost host = host(example("hello", "app.toml"));

    assertThatThrownBy(host::startTests)
        .isExactlyInstanceOf(ParigotException.class)
        .hasMessageContaining("no program has role = \"test\"");
  }

  @Test
  void aWaitForTestsMustHaveAPositiveTimeout() throws IOException {
    AppHost host = host(example("files", "app.toml"));

    try (RunningTests tests = host.startTests()) {
      assertThatThrownBy(() -> tests.awaitTests(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("positive");
    }
  }

  @Test
  void aModuleThatIsNotWasmIsRefusedWithALoadExceptionAndNothingRuns() throws Exception {
    Files.writeString(dir.resolve("main.wasm"), "not a module");
    Manifest manifest =
        manifest(
            """
            app = "broken"
            [program.greeter]
            wasm = "%s/hello/greeter.wasm"
            role = "service"
            exports = ["hello.v1.Greeter"]

            [program.main]
            wasm = "main.wasm"
            role = "main"
            requires = ["hello.v1.Greeter"]
            """);

    assertThatThrownBy(host(manifest)::start)
        .isInstanceOf(ModuleRefusedException.class)
        .hasMessageContaining("main.wasm");
    assertThat(shown).isEmpty();
  }

  @Test
  void aKernelServiceTheKernelDoesNotServeIsRefusedAtStart() throws Exception {
    Manifest manifest =
        manifest(
            """
            app = "wishful"
            [program.main]
            wasm = "%s/hello/main.wasm"
            role = "main"
            requires = ["parigot.nothing.v1.Nothing"]
            """);

    assertThatThrownBy(host(manifest)::start)
        .isExactlyInstanceOf(DeniedException.class)
        .hasMessage(
            "program 'main' requires parigot.nothing.v1.Nothing, which this kernel does not serve");
  }

  @Test
  void aDataDirectoryThatCannotBeCreatedIsRefusedWhenAProgramRequiresAServiceWithData()
      throws Exception {
    AppHost host = host(example("kv", "app.toml"));
    Files.writeString(dir.resolve(".parigot"), "a file where the directory would be");

    assertThatThrownBy(host::start)
        .isExactlyInstanceOf(ParigotException.class)
        .hasMessageContaining("cannot open the kernel services' data in ");
    assertThat(shown).isEmpty();
  }

  @Test
  void anHttpAddressInUseIsRefusedBeforeAnyProgramStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      AppHost host = host(httpApp("127.0.0.1:" + taken.getLocalPort()));

      assertThatThrownBy(host::start)
          .isExactlyInstanceOf(InUseException.class)
          .hasMessageContaining("app 'web': cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
    assertThat(shown).noneMatch(l -> l.startsWith("ended "));
  }

  @Test
  void theBuilderRefusesNulls() throws IOException {
    assertThatThrownBy(() -> AppHost.builder(null)).isInstanceOf(NullPointerException.class);
    AppHost.Builder builder = AppHost.builder(example("hello", "app.toml"));
    assertThatThrownBy(() -> builder.output(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> builder.closeOnShutdown(null))
        .isInstanceOf(NullPointerException.class);
  }
}
