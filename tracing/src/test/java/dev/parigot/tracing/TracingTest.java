package dev.parigot.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.ParigotException;
import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spans of examples/http's calls: one per call, the HTTP client's trace carried through. */
class TracingTest {
  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";

  @TempDir Path dir;

  private Manifest http() throws Exception {
    Path manifest = dir.resolve("app.toml");
    Files.writeString(
        manifest,
        Files.readString(EXAMPLES.resolve("http/app.toml"))
            .replace("127.0.0.1:8080", "127.0.0.1:0")
            .replace("wasm = \"", "wasm = \"" + EXAMPLES.resolve("http") + "/"));
    return Manifest.load(manifest);
  }

  private static String hello(RunningApp app, String traceparent) throws Exception {
    var request =
        HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:" + app.httpAddress().orElseThrow().getPort() + "/hello/t"));
    if (traceparent != null) {
      request.header("traceparent", traceparent);
    }
    return HttpClient.newHttpClient().send(request.build(), BodyHandlers.ofString()).body();
  }

  @Test
  void anHttpRequestsTraceContinuesThroughTheHandlerIntoTheServiceItCalls() throws Exception {
    var exporter = InMemorySpanExporter.create();
    List<SpanData> spans;
    try (Tracing tracing = Tracing.to(exporter)) {
      try (RunningApp app =
          AppHost.builder(http()).output((p, e, l) -> {}).tracer(tracing).build().start()) {
        assertThat(hello(app, "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01"))
            .isEqualTo("Hello, t!\n");
      }
      tracing.flush();
      // Read before the close: shutting the exporter down empties it.
      spans = exporter.getFinishedSpanItems();
    }
    SpanData handler = named(spans, "web.v1.Front/1");
    SpanData greeter = named(spans, "web.v1.Greeter/1");
    assertThat(handler.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(handler.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(greeter.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(greeter.getParentSpanId()).isEqualTo(handler.getSpanId());
    assertThat(handler.getAttributes().get(AttributeKey.stringKey("parigot.caller")))
        .isEqualTo("http");
    assertThat(greeter.getAttributes().get(AttributeKey.stringKey("parigot.caller")))
        .isEqualTo("front");
    assertThat(greeter.getAttributes().get(AttributeKey.stringKey("rpc.service")))
        .isEqualTo("web.v1.Greeter");
    assertThat(greeter.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aRequestWithoutOrWithAMalformedTraceparentStartsATraceOfItsOwn() throws Exception {
    var exporter = InMemorySpanExporter.create();
    List<SpanData> spans;
    try (Tracing tracing = Tracing.to(exporter)) {
      try (RunningApp app =
          AppHost.builder(http()).output((p, e, l) -> {}).tracer(tracing).build().start()) {
        hello(app, null);
        hello(app, "00-" + "0".repeat(32) + "-" + CLIENT_SPAN + "-01");
        hello(app, "not a traceparent");
      }
      tracing.flush();
      spans = exporter.getFinishedSpanItems();
    }
    List<SpanData> handlers =
        spans.stream().filter(s -> s.getName().equals("web.v1.Front/1")).toList();
    assertThat(handlers).hasSize(3);
    assertThat(handlers).allSatisfy(s -> assertThat(s.getParentSpanContext().isValid()).isFalse());
    assertThat(handlers.stream().map(SpanData::getTraceId).distinct()).hasSize(3);
  }

  @Test
  void aFileExporterWritesOneJsonLinePerSpan() throws Exception {
    Path file = dir.resolve("spans.jsonl");
    Tracing tracing =
        Tracing.fromEnvironment(Map.of("PARIGOT_TRACES", "file:" + file)).orElseThrow();
    try (tracing;
        RunningApp app =
            AppHost.builder(http()).output((p, e, l) -> {}).tracer(tracing).build().start()) {
      hello(app, "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01");
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(lines)
        .allSatisfy(l -> assertThat(l).startsWith("{\"trace_id\":\"" + TRACE_ID + "\""));
    assertThat(lines)
        .anySatisfy(l ->
            assertThat(l)
                .contains("\"name\":\"web.v1.Greeter/1\"")
                .contains("\"parigot.caller\":\"front\""));
  }

  @Test
  void tracingIsOffUnlessAskedForAndABadSettingIsRefused() {
    assertThat(Tracing.fromEnvironment(Map.of())).isEmpty();
    assertThat(Tracing.fromEnvironment(Map.of("PARIGOT_TRACES", "off"))).isEmpty();
    assertThatThrownBy(() -> Tracing.fromEnvironment(Map.of("PARIGOT_TRACES", "zipkin")))
        .isInstanceOf(ParigotException.class)
        .hasMessage("PARIGOT_TRACES must be off, console, file:PATH or otlp, not 'zipkin'");
    assertThatThrownBy(() ->
            Tracing.fromEnvironment(
                Map.of("PARIGOT_TRACES", "file:" + dir.resolve("no/such/dir/spans"))))
        .isInstanceOf(ParigotException.class)
        .hasMessageStartingWith("PARIGOT_TRACES: cannot open ");
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " among " + spans));
  }
}
