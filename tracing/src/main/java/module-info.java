/**
 * Call tracing: every call the kernel routes becomes an OpenTelemetry span, its W3C trace context
 * carried into the calls made while serving it, exported over OTLP or as JSON lines. It plugs into
 * the kernel through {@link dev.parigot.kernel.spi.CallObserver}, so the kernel carries no
 * OpenTelemetry. The entry point is {@link dev.parigot.tracing.Tracing}.
 */
module dev.parigot.tracing {
  requires transitive dev.parigot.kernel;
  requires io.opentelemetry.api;
  requires io.opentelemetry.context;
  requires io.opentelemetry.sdk.common;
  requires io.opentelemetry.sdk.trace;
  requires io.opentelemetry.exporter.otlp;

  exports dev.parigot.tracing;
}
