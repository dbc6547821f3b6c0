package dev.parigot.host;

import dev.parigot.kernel.Caller;
import dev.parigot.kernel.ProcessInfo;
import dev.parigot.kernel.spi.CallObserver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The admin endpoint's view of calls: counts, errors and latency histograms per caller program,
 * service and method, and the most recent calls. A {@link CallObserver} for the kernel; a tracer,
 * if given, sees each call first and gives it its trace context.
 */
final class Telemetry implements CallObserver {
  /** Upper bounds of the latency histogram's buckets, in seconds (Prometheus' le labels). */
  static final double[] BOUNDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  /** How many finished calls {@link #recent} keeps. */
  static final int RECENT = 200;

  private final Optional<CallObserver> tracer;
  private final Map<Key, Stats> stats = new ConcurrentHashMap<>();
  private final long startedNanos = System.nanoTime();
  // Guarded by itself: a ring of the last RECENT calls.
  private final Recent[] recent = new Recent[RECENT];
  private long recentCount;

  Telemetry(Optional<CallObserver> tracer) {
    this.tracer = tracer;
  }

  /** Who called what: a caller program, a service and a method. */
  record Key(String caller, String service, int method) {}

  /** One finished call. */
  record Recent(
      long endedMillis,
      String caller,
      String service,
      int method,
      long nanos,
      int code,
      Optional<String> traceparent,
      Optional<String> parent) {}

  /** What the calls of one key added up to. */
  record Totals(Key key, long calls, long errors, long[] buckets, long sumNanos) {}

  private static final class Stats {
    final LongAdder calls = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder sumNanos = new LongAdder();
    final AtomicLongArray buckets = new AtomicLongArray(BOUNDS.length + 1);
  }

  @Override
  public Call started(Caller caller, String service, int method, Optional<String> parent) {
    Call traced = tracer.map(t -> t.started(caller, service, method, parent)).orElse(Call.NONE);
    Stats s = stats.computeIfAbsent(new Key(caller.program(), service, method), k -> new Stats());
    long start = System.nanoTime();
    return new Call() {
      @Override
      public void ended(int code) {
        long nanos = System.nanoTime() - start;
        traced.ended(code);
        s.calls.increment();
        if (code != 0) {
          s.errors.increment();
        }
        s.sumNanos.add(nanos);
        s.buckets.incrementAndGet(bucket(nanos));
        remember(
            new Recent(
                System.currentTimeMillis(),
                caller.program(),
                service,
                method,
                nanos,
                code,
                traced.traceparent(),
                parent));
      }

      @Override
      public Optional<String> traceparent() {
        return traced.traceparent();
      }
    };
  }

  private static int bucket(long nanos) {
    double seconds = nanos / 1e9;
    for (int i = 0; i < BOUNDS.length; i++) {
      if (seconds <= BOUNDS[i]) {
        return i;
      }
    }
    return BOUNDS.length;
  }

  private void remember(Recent call) {
    synchronized (recent) {
      recent[(int) (recentCount++ % RECENT)] = call;
    }
  }

  /** The last {@link #RECENT} finished calls, newest first. */
  List<Recent> recent() {
    var out = new ArrayList<Recent>();
    synchronized (recent) {
      for (long i = recentCount - 1; i >= 0 && i >= recentCount - RECENT; i--) {
        out.add(recent[(int) (i % RECENT)]);
      }
    }
    return out;
  }

  /** The totals of every key seen, sorted by caller, service and method. */
  List<Totals> totals() {
    var out = new ArrayList<Totals>();
    stats.forEach((k, s) -> {
      long[] b = new long[BOUNDS.length + 1];
      for (int i = 0; i < b.length; i++) {
        b[i] = s.buckets.get(i);
      }
      out.add(new Totals(k, s.calls.sum(), s.errors.sum(), b, s.sumNanos.sum()));
    });
    out.sort(
        Comparator.comparing((Totals t) -> t.key().caller())
            .thenComparing(t -> t.key().service())
            .thenComparingInt(t -> t.key().method()));
    return out;
  }

  /** Seconds since the telemetry started: what rates are measured over. */
  double uptimeSeconds() {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /**
   * The metrics in Prometheus' text format (version 0.0.4): calls, errors and latency per caller,
   * service and method, and the processes and their memory per program and state.
   */
  String prometheus(String app, List<ProcessInfo> processes) {
    var out = new StringBuilder();
    List<Totals> all = totals();
    out.append(
        "# HELP parigot_calls_total Calls that ended, by caller program, service, method.\n");
    out.append("# TYPE parigot_calls_total counter\n");
    for (Totals t : all) {
      out.append("parigot_calls_total").append(labels(app, t.key())).append(' ');
      out.append(t.calls()).append('\n');
    }
    out.append("# HELP parigot_call_errors_total Calls that ended in an error.\n");
    out.append("# TYPE parigot_call_errors_total counter\n");
    for (Totals t : all) {
      out.append("parigot_call_errors_total").append(labels(app, t.key())).append(' ');
      out.append(t.errors()).append('\n');
    }
    out.append("# HELP parigot_call_duration_seconds How long calls took, start to end.\n");
    out.append("# TYPE parigot_call_duration_seconds histogram\n");
    for (Totals t : all) {
      String l = labels(app, t.key());
      String open = l.substring(0, l.length() - 1);
      long cumulative = 0;
      for (int i = 0; i <= BOUNDS.length; i++) {
        cumulative += t.buckets()[i];
        String le = i < BOUNDS.length ? number(BOUNDS[i]) : "+Inf";
        out.append("parigot_call_duration_seconds_bucket").append(open);
        out.append(",le=\"").append(le).append("\"} ").append(cumulative).append('\n');
      }
      out.append("parigot_call_duration_seconds_sum").append(l).append(' ');
      out.append(number(t.sumNanos() / 1e9)).append('\n');
      out.append("parigot_call_duration_seconds_count").append(l).append(' ');
      out.append(cumulative).append('\n');
    }
    var counts = new TreeMap<String, Integer>();
    var memory = new TreeMap<String, Long>();
    for (ProcessInfo p : processes) {
      counts.merge(p.program() + "\u0000" + p.state(), 1, Integer::sum);
      memory.merge(p.program(), p.memoryBytes(), Long::sum);
    }
    out.append("# HELP parigot_processes Live processes, by program and state.\n");
    out.append("# TYPE parigot_processes gauge\n");
    counts.forEach((k, n) -> {
      String[] ps = k.split("\u0000", 2);
      out.append("parigot_processes{app=\"").append(escape(app)).append("\",program=\"");
      out.append(escape(ps[0])).append("\",state=\"").append(ps[1]).append("\"} ");
      out.append(n).append('\n');
    });
    out.append("# HELP parigot_memory_bytes Linear memory and tables held, by program.\n");
    out.append("# TYPE parigot_memory_bytes gauge\n");
    memory.forEach((program, bytes) -> {
      out.append("parigot_memory_bytes{app=\"").append(escape(app)).append("\",program=\"");
      out.append(escape(program)).append("\"} ").append(bytes).append('\n');
    });
    return out.toString();
  }

  private static String labels(String app, Key k) {
    return "{app=\""
        + escape(app)
        + "\",caller=\""
        + escape(k.caller())
        + "\",service=\""
        + escape(k.service())
        + "\",method=\""
        + k.method()
        + "\"}";
  }

  private static String number(double d) {
    return String.format(Locale.ROOT, "%s", d);
  }

  /** A label value: backslash, double quote and line feed escaped, as the format requires. */
  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
