package dev.parigot.cli;

import dev.parigot.host.AdminClient;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ProcessInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Which running app {@code ps} and {@code top} ask: by its manifest or by its data directory. */
final class AdminTarget {
  @Parameters(
      arity = "0..1",
      paramLabel = "APP.toml",
      description = "The app's manifest; its data directory holds the admin endpoint's files.")
  Path manifest;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "The app's data directory, instead of its manifest.")
  Path dataDir;

  /** The client of the app's endpoint. */
  AdminClient client(CommandLine cli) {
    if ((manifest == null) == (dataDir == null)) {
      throw new CommandLine.ParameterException(cli, "Give either APP.toml or --data-dir DIR");
    }
    return AdminClient.of(dataDir != null ? dataDir : Manifest.load(manifest).dataDir());
  }

  /** The processes as a table, one line each, with a heading. */
  static String table(List<ProcessInfo> processes) {
    var out = new StringBuilder();
    String row = "%6s  %-22s %-8s %9s %9s %8s %9s %8s %7s %8s%n";
    out.append(
        String.format(
            Locale.ROOT,
            row,
            "PID",
            "PROCESS",
            "STATE",
            "MEMORY",
            "CPU",
            "INFLIGHT",
            "QUEUED",
            "SERVED",
            "ERRORS",
            "RESTARTS"));
    for (ProcessInfo p : processes) {
      out.append(
          String.format(
              Locale.ROOT,
              row,
              p.pid(),
              p.name(),
              p.state(),
              bytes(p.memoryBytes()),
              String.format(Locale.ROOT, "%.2fs", p.cpuNanos() / 1e9),
              p.callsInFlight(),
              bytes(p.queuedBytes()),
              p.callsServed(),
              p.errors(),
              p.restarts()));
    }
    return out.toString();
  }

  static String bytes(long n) {
    if (n >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1fM", n / (double) (1 << 20));
    }
    if (n >= 1 << 10) {
      return String.format(Locale.ROOT, "%.1fK", n / (double) (1 << 10));
    }
    return n + "B";
  }
}
