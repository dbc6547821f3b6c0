package dev.parigot.tracing;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.spi.CallObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Traces every call as an OpenTelemetry span: a {@link CallObserver} for a kernel (give it to
 * {@code AppHost.Builder.tracer}), and what exports the spans. A call's span is a child of the
 * context the kernel gives (the HTTP request's {@code traceparent}, or the call its caller is
 * serving), and its own context is what the calls made while serving it carry.
 *
 * <p>Spans are named {@code service/method} (the method's number), of kind CLIENT, with attributes
 * {@code rpc.system = "parigot"}, {@code rpc.service}, {@code rpc.method}, {@code parigot.app},
 * {@code parigot.caller} (the calling program) and {@code parigot.caller.pid}; a call that ends in
 * an error has status ERROR and {@code parigot.code}. Close it to export what is still buffered.
 * Thread-safe.
 */
public final class Tracing implements CallObserver, AutoCloseable {
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<String> APP = AttributeKey.stringKey("parigot.app");
  private static final AttributeKey<String> CALLER = AttributeKey.stringKey("parigot.caller");
  private static final AttributeKey<Long> PID = AttributeKey.longKey("parigot.caller.pid");
  private static final AttributeKey<Long> CODE = AttributeKey.longKey("parigot.code");

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SpanExporter exporter) {
    this.provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "parigot"))))
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
            .build();
    this.tracer = provider.get("dev.parigot.tracing");
  }

  /** Traces to {@code exporter}, in batches. */
  public static Tracing to(SpanExporter exporter) {
    return new Tracing(Objects.requireNonNull(exporter, "exporter"));
  }

  /**
   * What {@code PARIGOT_TRACES} in {@code env} asks for: unset or {@code off}, nothing; {@code
   * console}, one JSON line per span on stderr; {@code file:PATH}, the same appended to PATH;
   * {@code otlp}, OTLP over HTTP to {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, else {@code
   * OTEL_EXPORTER_OTLP_ENDPOINT} + {@code /v1/traces}, else {@code
   * http://localhost:4318/v1/traces}.
   *
   * @throws ParigotException if the value is none of those, or the file cannot be opened
   */
  public static Optional<Tracing> fromEnvironment(Map<String, String> env) {
    String traces = env.getOrDefault("PARIGOT_TRACES", "off");
    if (traces.equals("off") || traces.isEmpty()) {
      return Optional.empty();
    }
    if (traces.equals("console")) {
      return Optional.of(to(new JsonLinesSpanExporter(System.err)));
    }
    if (traces.startsWith("file:") && traces.length() > "file:".length()) {
      Path file = Path.of(traces.substring("file:".length()));
      try {
        OutputStream out =
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return Optional.of(to(new JsonLinesSpanExporter(out)));
      } catch (IOException e) {
        throw new ParigotException(
            "PARIGOT_TRACES: cannot open " + file + ": " + e.getMessage(), e);
      }
    }
    if (traces.equals("otlp")) {
      String endpoint =
          Optional.ofNullable(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
              .or(() ->
                  Optional.ofNullable(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
                      .map(e -> e.replaceAll("/+$", "") + "/v1/traces"))
              .orElse("http://localhost:4318/v1/traces");
      return Optional.of(to(OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build()));
    }
    throw new ParigotException(
        "PARIGOT_TRACES must be off, console, file:PATH or otlp, not '" + traces + "'");
  }

  @Override
  public Call started(Caller caller, String service, int method, Optional<String> parent) {
    Context context = parent.flatMap(Tracing::remote).orElse(Context.root());
    Span span =
        tracer
            .spanBuilder(service + "/" + method)
            .setParent(context)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(SYSTEM, "parigot")
            .setAttribute(SERVICE, service)
            .setAttribute(METHOD, Integer.toString(method))
            .setAttribute(APP, caller.app())
            .setAttribute(CALLER, caller.program())
            .setAttribute(PID, caller.pid())
            .startSpan();
    SpanContext own = span.getSpanContext();
    Optional<String> traceparent =
        Optional.of(
            "00-" + own.getTraceId() + "-" + own.getSpanId() + "-" + own.getTraceFlags().asHex());
    return new Call() {
      @Override
      public void ended(int code) {
        if (code != 0) {
          span.setAttribute(CODE, code);
          span.setStatus(StatusCode.ERROR, code < 0 ? "kernel error " + code : "error " + code);
        }
        span.end();
      }

      @Override
      public Optional<String> traceparent() {
        return traceparent;
      }
    };
  }

  /** The context of a W3C traceparent value, as a remote parent; empty if it is malformed. */
  private static Optional<Context> remote(String traceparent) {
    var m = TRACEPARENT.matcher(traceparent);
    if (!m.matches()) {
      return Optional.empty();
    }
    SpanContext sc =
        SpanContext.createFromRemoteParent(
            m.group(1), m.group(2), TraceFlags.fromHex(m.group(3), 0), TraceState.getDefault());
    return sc.isValid() ? Optional.of(Context.root().with(Span.wrap(sc))) : Optional.empty();
  }

  /** Exports the spans ended so far, waiting at most 10 s. */
  public void flush() {
    provider.forceFlush().join(10, TimeUnit.SECONDS);
  }

  /** Exports the spans still buffered (waiting at most 10 s) and stops. */
  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
