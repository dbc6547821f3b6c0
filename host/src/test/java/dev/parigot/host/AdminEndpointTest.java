package dev.parigot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint of examples/http, on real sockets, with its files in a temporary dir. */
class AdminEndpointTest {
  private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @TempDir Path dir;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private RunningApp app;
  private URI admin;
  private String token;

  @BeforeEach
  void start() throws IOException {
    Path examples = AppHostTest.EXAMPLES.resolve("http");
    try (var files = Files.list(examples)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    Path toml = dir.resolve("app.toml");
    Files.writeString(toml, Files.readString(toml).replace("127.0.0.1:8080", "127.0.0.1:0"));
    Manifest manifest = Manifest.load(toml);
    app = AppHost.builder(manifest).output((process, stderr, line) -> {}).admin(0).build().start();
    Path data = manifest.dataDir();
    admin = URI.create("http://" + Files.readString(data.resolve("admin.address")).trim());
    token = Files.readString(data.resolve("admin.token")).trim();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private HttpResponse<String> get(String path, String bearer) throws Exception {
    var request = HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(30));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(admin.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }

  private String hello(String name) throws Exception {
    URI http = URI.create("http://127.0.0.1:" + app.httpAddress().orElseThrow().getPort());
    return client
        .send(
            HttpRequest.newBuilder(http.resolve("/hello/" + name))
                .header("traceparent", TRACE)
                .build(),
            BodyHandlers.ofString())
        .body();
  }

  @Test
  void theTokenFileIsTheOwnersOnlyAndTheAddressIsTheEndpoints() throws Exception {
    Path data = dir.resolve(".parigot/http");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("admin.token"))))
        .isEqualTo("rw-------");
    assertThat(admin.getPort()).isEqualTo(app.adminAddress().orElseThrow().getPort());
    assertThat(token).matches("[0-9a-f]{64}");
  }

  @Test
  void aRequestWithoutTheTokenOrWithAWrongOneGets401() throws Exception {
    var none = get("/api/processes", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains("\"error\":\"missing token");
    var wrong = get("/api/processes", "0".repeat(64));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).isEqualTo("{\"error\":\"wrong token\"}");
    assertThat(get("/metrics", null).statusCode()).isEqualTo(401);
  }

  @Test
  void theProcessListShowsEachProgramAndWhatItServed() throws Exception {
    assertThat(hello("admin")).isEqualTo("Hello, admin!\n");
    var ps = get("/api/processes", token);
    assertThat(ps.statusCode()).isEqualTo(200);
    assertThat(ps.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(ps.body())
        .startsWith("{\"app\":\"http\",\"processes\":[")
        .containsPattern(
            "\"program\":\"greeter\",\"name\":\"greeter\\[\\d+\\]\",\"role\":\"service\","
                + "\"worker\":false,"
                + "\"state\":\"(waiting|running)\",\"memory_bytes\":[1-9]\\d*,\"cpu_ms\":\\d+,"
                + "\"calls_in_flight\":0,\"queued_bytes\":\\d+,\"calls_served\":1,\"errors\":0,"
                + "\"denials\":0,\"restarts\":0")
        .contains("\"program\":\"front\"");
  }

  @Test
  void metricsCountCallsPerCallerServiceAndMethodInPrometheusText() throws Exception {
    hello("a");
    hello("b");
    var m = get("/metrics", token);
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(m.body())
        .contains(
            "parigot_calls_total{app=\"http\",caller=\"front\",service=\"web.v1.Greeter\","
                + "method=\"1\"} 2\n")
        .contains(
            "parigot_call_errors_total{app=\"http\",caller=\"http\",service=\"web.v1.Front\","
                + "method=\"1\"} 0\n")
        .contains(
            "parigot_call_duration_seconds_bucket{app=\"http\",caller=\"front\","
                + "service=\"web.v1.Greeter\",method=\"1\",le=\"+Inf\"} 2\n")
        .containsPattern("parigot_processes\\{app=\"http\",program=\"greeter\",state=\"\\w+\"} 1")
        .containsPattern("parigot_memory_bytes\\{app=\"http\",program=\"front\"} [1-9]");
  }

  @Test
  void theCallGraphNamesTheCalledProgramAndRecentCallsKeepTheClientsTrace() throws Exception {
    hello("graph");
    var calls = get("/api/calls", token).body();
    assertThat(calls)
        .contains("{\"caller\":\"front\",\"callee\":\"greeter\",\"service\":\"web.v1.Greeter\"")
        .contains("{\"caller\":\"http\",\"callee\":\"front\",\"service\":\"web.v1.Front\"");
    assertThat(get("/api/recent", token).body())
        .contains("\"caller\":\"http\",\"service\":\"web.v1.Front\"")
        .contains("\"parent\":\"" + TRACE + "\"");
  }

  @Test
  void killingAProgramEndsItsProcessesAndTheLogShowsIt() throws Exception {
    var killed = post("/api/kill", "{\"program\": \"greeter\"}");
    assertThat(killed.statusCode()).isEqualTo(200);
    assertThat(killed.body()).matches("\\{\"killed\":\\[\\d+]}");
    var log = get("/api/logs?after=0", token).body();
    for (int i = 0; i < 100 && !log.contains("killed through the admin endpoint"); i++) {
      log = get("/api/logs?after=0&follow=false", token).body();
    }
    assertThat(log)
        .containsPattern(
            "\\{\"seq\":\\d+,\"at\":\"[^\"]+\",\"process\":\"greeter\\[\\d+]\",\"stderr\":true,"
                + "\"text\":\"ended with code 70: killed through the admin endpoint\"}");
  }

  @Test
  void badRequestsGetClearJsonErrors() throws Exception {
    assertThat(post("/api/kill", "{\"program\": \"nobody\"}").body())
        .isEqualTo("{\"error\":\"app 'http' has no program 'nobody'\"}");
    assertThat(post("/api/kill", "{\"program\": \"nobody\"}").statusCode()).isEqualTo(404);
    assertThat(post("/api/kill", "{\"pid\": 99999}").statusCode()).isEqualTo(404);
    var malformed = post("/api/kill", "{\"program\": greeter}");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).startsWith("{\"error\":\"malformed JSON at offset 12");
    assertThat(post("/api/kill", "{\"program\": \"a\", \"program\": \"b\"}").statusCode())
        .isEqualTo(400);
    assertThat(post("/api/kill", "{\"name\": \"greeter\"}").body())
        .contains("expected {\\\"program\\\": \\\"NAME\\\"} or {\\\"pid\\\": N}");
    var big = post("/api/kill", "{\"program\": \"" + "x".repeat(5000) + "\"}");
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(get("/api/kill", token).statusCode()).isEqualTo(405);
    assertThat(get("/api/nothing", token).statusCode()).isEqualTo(404);
    assertThat(get("/api/logs?after=-1", token).statusCode()).isEqualTo(400);
    assertThat(get("/api/logs?follow=maybe", token).body())
        .isEqualTo("{\"error\":\"follow must be true or false, not 'maybe'\"}");
    // Nothing was killed by any of them.
    assertThat(get("/api/processes", token).body()).contains("\"program\":\"greeter\"");
  }

  @Test
  void restartingAProgramGivesItNewProcessesThatServeTheNextCall() throws Exception {
    long before = pid("greeter");
    var restarted = post("/api/restart", "{\"program\": \"greeter\"}");
    assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(200);
    assertThat(restarted.body()).isEqualTo("{\"restarted\":\"greeter\"}");
    assertThat(pid("greeter")).isNotEqualTo(before);
    assertThat(hello("again")).contains("again");
  }

  @Test
  void anUpgradeSwapsTheModuleAndARefusedOneLeavesTheOldVersionServing() throws Exception {
    AdminClient client = AdminClient.of(dir.resolve(".parigot/http"));
    long before = pid("greeter");
    client.upgrade("greeter", dir.resolve("greeter.wasm"));
    long upgraded = pid("greeter");
    assertThat(upgraded).isNotEqualTo(before);

    Path junk = Files.writeString(dir.resolve("junk.wasm"), "not a module");
    assertThatThrownBy(() -> client.upgrade("greeter", junk))
        .isInstanceOf(ParigotException.class)
        .hasMessageContaining("422")
        .hasMessageContaining("junk.wasm");
    assertThat(pid("greeter")).isEqualTo(upgraded);
    assertThat(hello("still")).contains("still");

    assertThat(post("/api/upgrade", "{\"program\": \"greeter\", \"wasm\": \"greeter.wasm\"}"))
        .satisfies(r -> assertThat(r.statusCode()).isEqualTo(400))
        .satisfies(r -> assertThat(r.body()).contains("absolute path"));
    assertThat(post("/api/upgrade", "{\"program\": \"greeter\"}").body())
        .contains("expected {\\\"program\\\": \\\"NAME\\\", \\\"wasm\\\": \\\"PATH\\\"}");
    assertThat(post("/api/restart", "{\"program\": \"nobody\"}").statusCode()).isEqualTo(404);
    assertThat(get("/api/restart", token).statusCode()).isEqualTo(405);
    assertThat(pid("greeter")).isEqualTo(upgraded);
  }

  private long pid(String program) {
    return AdminClient.of(dir.resolve(".parigot/http")).processes().stream()
        .filter(p -> p.program().equals(program))
        .mapToLong(ProcessInfo::pid)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theClientFindsTheEndpointThroughTheDataDirectory() throws Exception {
    hello("client");
    AdminClient client = AdminClient.of(dir.resolve(".parigot/http"));
    assertThat(client.processes())
        .extracting(ProcessInfo::program)
        .containsExactlyInAnyOrder("greeter", "front");
    assertThat(client.processes())
        .filteredOn(p -> p.program().equals("greeter"))
        .singleElement()
        .satisfies(p -> assertThat(p.callsServed()).isEqualTo(1));
    assertThat(client.calls())
        .extracting(AdminClient.Calls::caller, AdminClient.Calls::callee, AdminClient.Calls::calls)
        .contains(org.assertj.core.groups.Tuple.tuple("front", "greeter", 1L));
  }

  @Test
  void theClientSaysWhenNoAppRunsThere() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> AdminClient.of(empty))
        .isInstanceOf(ParigotException.class)
        .hasMessageContaining("no admin endpoint in " + empty);
    Path data = dir.resolve(".parigot/http");
    Path copy = Files.createDirectories(dir.resolve("stale"));
    Files.copy(data.resolve("admin.token"), copy.resolve("admin.token"));
    Files.copy(data.resolve("admin.address"), copy.resolve("admin.address"));
    app.close();
    assertThatThrownBy(() -> AdminClient.of(copy).processes())
        .isInstanceOf(ParigotException.class)
        .hasMessageContaining("the app is not running");
    Files.writeString(copy.resolve("admin.address"), "example.com:80\n");
    assertThatThrownBy(() -> AdminClient.of(copy))
        .isInstanceOf(ParigotException.class)
        .hasMessageContaining("malformed");
  }

  @Test
  void theDashboardIsServedWithoutATokenAndClosingTheAppRemovesTheFiles() throws Exception {
    var page = get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"dashboard.js\"");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'");
    assertThat(get("/dashboard.js", null).body()).contains("Authorization");
    app.close();
    assertThat(dir.resolve(".parigot/http/admin.token")).doesNotExist();
    assertThat(dir.resolve(".parigot/http/admin.address")).doesNotExist();
  }
}
