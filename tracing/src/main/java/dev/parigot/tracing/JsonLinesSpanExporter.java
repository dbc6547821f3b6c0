package dev.parigot.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

/**
 * Writes each span as one JSON object on a line: trace and span ids, parent, name, start and end
 * (Unix nanoseconds), status and attributes. For development: a console or a file to grep.
 */
final class JsonLinesSpanExporter implements SpanExporter {
  private final OutputStream out;

  JsonLinesSpanExporter(OutputStream out) {
    this.out = out;
  }

  @Override
  public synchronized CompletableResultCode export(Collection<SpanData> spans) {
    var s = new StringBuilder();
    for (SpanData span : spans) {
      s.append("{\"trace_id\":\"").append(span.getTraceId());
      s.append("\",\"span_id\":\"").append(span.getSpanId());
      s.append("\",\"parent_span_id\":\"").append(span.getParentSpanId());
      s.append("\",\"name\":").append(quote(span.getName()));
      s.append(",\"start_unix_nanos\":").append(span.getStartEpochNanos());
      s.append(",\"end_unix_nanos\":").append(span.getEndEpochNanos());
      s.append(",\"status\":\"").append(span.getStatus().getStatusCode()).append('"');
      s.append(",\"attributes\":{");
      boolean first = true;
      for (Map.Entry<AttributeKey<?>, Object> a : span.getAttributes().asMap().entrySet()) {
        s.append(first ? "" : ",").append(quote(a.getKey().getKey())).append(':');
        s.append(a.getValue() instanceof Number n ? n.toString() : quote(a.getValue().toString()));
        first = false;
      }
      s.append("}}\n");
    }
    try {
      out.write(s.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return CompletableResultCode.ofSuccess();
    } catch (IOException e) {
      return CompletableResultCode.ofFailure();
    }
  }

  private static String quote(String v) {
    var s = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (c < 0x20) {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    return s.append('"').toString();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public synchronized CompletableResultCode shutdown() {
    try {
      if (out != System.err) {
        out.close();
      }
    } catch (IOException e) {
      return CompletableResultCode.ofFailure();
    }
    return CompletableResultCode.ofSuccess();
  }
}
