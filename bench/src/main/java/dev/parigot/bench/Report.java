package dev.parigot.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one run measured: rows in the order they were measured, each with its target from the kernel
 * issue when it has one. Printed as a Markdown table and written as JSON.
 */
final class Report {
  /** A bound a row's value must keep: {@code value <= limit}, or {@code >=} when not atMost. */
  record Target(boolean atMost, double limit) {
    static Target atMost(double limit) {
      return new Target(true, limit);
    }

    static Target atLeast(double limit) {
      return new Target(false, limit);
    }

    boolean met(double value) {
      return atMost ? value <= limit : value >= limit;
    }

    @Override
    public String toString() {
      return (atMost ? "<= " : ">= ") + number(limit);
    }
  }

  /**
   * One measurement. {@code value} is NaN for a row that has no number (see {@code note}).
   *
   * @param id a stable key, e.g. {@code call.kernel.p50}
   * @param what what was measured, for people
   */
  record Row(String id, String what, double value, String unit, Target target, String note) {
    String verdict() {
      if (target == null) {
        return "";
      }
      if (Double.isNaN(value)) {
        return "not measured";
      }
      return target.met(value) ? "met" : "MISSED";
    }
  }

  private final Map<String, String> machine = new LinkedHashMap<>();
  private final List<Row> rows = new ArrayList<>();

  void machine(String key, String value) {
    machine.put(key, value);
  }

  void add(String id, String what, double value, String unit) {
    add(id, what, value, unit, null, "");
  }

  void add(String id, String what, double value, String unit, Target target, String note) {
    rows.add(new Row(id, what, value, unit, target, note));
    System.err.printf(Locale.ROOT, "bench: %-28s %14s %s%n", id, number(value), unit);
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  void printTable(PrintStream out) {
    machine.forEach((k, v) -> out.println(k + ": " + v));
    out.println();
    out.println("| id | what | value | unit | target | verdict |");
    out.println("|---|---|---:|---|---|---|");
    for (Row r : rows) {
      String value = Double.isNaN(r.value()) ? r.note() : number(r.value());
      out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s |%n",
          r.id(),
          r.what(),
          value,
          r.unit(),
          r.target() == null ? "" : r.target().toString(),
          r.verdict());
    }
  }

  void writeJson(Path file) throws IOException {
    var json = new StringBuilder("{\n  \"machine\": {");
    String sep = "\n";
    for (var e : machine.entrySet()) {
      json.append(sep)
          .append("    ")
          .append(quote(e.getKey()))
          .append(": ")
          .append(quote(e.getValue()));
      sep = ",\n";
    }
    json.append("\n  },\n  \"rows\": [");
    sep = "\n";
    for (Row r : rows) {
      json.append(sep)
          .append("    {\"id\": ")
          .append(quote(r.id()))
          .append(", \"what\": ")
          .append(quote(r.what()))
          .append(", \"value\": ")
          .append(Double.isNaN(r.value()) ? "null" : number(r.value()).replace(",", ""))
          .append(", \"unit\": ")
          .append(quote(r.unit()));
      if (r.target() != null) {
        json.append(", \"target\": ").append(quote(r.target().toString()));
        json.append(", \"verdict\": ").append(quote(r.verdict()));
      }
      if (!r.note().isEmpty()) {
        json.append(", \"note\": ").append(quote(r.note()));
      }
      json.append('}');
      sep = ",\n";
    }
    json.append("\n  ]\n}\n");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, json);
  }

  /** Three significant digits at most, which is all these measurements carry. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, a >= 10 ? "%.1f" : "%.2f", v);
  }

  private static String quote(String s) {
    var q = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        default -> {
          if (c < 0x20) {
            q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('"').toString();
  }
}
