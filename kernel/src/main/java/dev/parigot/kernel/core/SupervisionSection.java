package dev.parigot.kernel.core;

import dev.parigot.kernel.ProgramSpec;
import dev.parigot.kernel.Role;
import dev.parigot.kernel.Supervision;
import dev.parigot.kernel.spi.ManifestSection;
import dev.parigot.kernel.spi.ManifestTable;
import dev.parigot.kernel.spi.SectionContext;
import dev.parigot.kernel.spi.SectionKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The programs' supervision keys ({@link Supervision}): a section of the kernel's own, so that the
 * program record stays as it is. Its value maps every service program to its supervision, the
 * {@link Supervision#DEFAULT} where it has no key.
 */
public final class SupervisionSection implements ManifestSection<Map<String, Supervision>> {
  private static final String RESTART = "restart";
  private static final List<String> TUNING =
      List.of("restart_delay_ms", "restart_max_delay_ms", "max_restarts", "restart_window_ms");
  private static final String DRAIN = "drain_timeout_ms";
  private static final long HOUR_MS = 3_600_000;
  // The supervisor keeps the time of each restart within the window.
  private static final int MAX_RESTARTS = 10_000;

  /** Made by {@link java.util.ServiceLoader}. */
  public SupervisionSection() {}

  @Override
  public SectionKey<Map<String, Supervision>> key() {
    return Supervision.KEY;
  }

  @Override
  public List<String> programKeys() {
    return List.of(
        RESTART,
        "restart_delay_ms",
        "restart_max_delay_ms",
        "max_restarts",
        "restart_window_ms",
        DRAIN);
  }

  @Override
  public Optional<Map<String, Supervision>> read(SectionContext manifest) {
    var all = new LinkedHashMap<String, Supervision>();
    for (ProgramSpec program : manifest.programs()) {
      ManifestTable t = manifest.program(program);
      if (program.role() != Role.SERVICE) {
        for (String key : programKeys()) {
          if (t.has(key)) {
            t.report(
                t.line(key),
                t.name(key)
                    + ": only a service program (role = \"service\") is supervised, not a "
                    + program.role().toml()
                    + " program");
          }
        }
        continue;
      }
      all.put(program.name(), read(t));
    }
    return Optional.of(Map.copyOf(all));
  }

  private static Supervision read(ManifestTable t) {
    Supervision d = Supervision.DEFAULT;
    String rule =
        "one of "
            + Arrays.stream(Supervision.Restart.values())
                .map(r -> "\"" + r.toml() + "\"")
                .collect(Collectors.joining(", "));
    Supervision.Restart restart =
        t.string(RESTART, rule)
            .flatMap(value -> {
              var found =
                  Arrays.stream(Supervision.Restart.values())
                      .filter(r -> r.toml().equals(value))
                      .findFirst();
              if (found.isEmpty()) {
                t.report(
                    t.line(RESTART),
                    t.name(RESTART) + ": must be " + rule + ", not " + ManifestTable.quote(value));
              }
              return found;
            })
            .orElse(d.restart());
    if (restart == Supervision.Restart.NEVER) {
      for (String key : TUNING) {
        if (t.has(key)) {
          t.report(
              t.line(key),
              t.name(key)
                  + ": applies only with restart = \"on-failure\" or \"always\"; this program"
                  + " is never restarted");
        }
      }
    }
    String ms = " (milliseconds, up to one hour)";
    Duration delay = millis(t, "restart_delay_ms", 1, ms).orElse(d.delay());
    Duration maxDelay = millis(t, "restart_max_delay_ms", 1, ms).orElse(max(d.maxDelay(), delay));
    if (maxDelay.compareTo(delay) < 0) {
      t.report(
          t.line("restart_max_delay_ms"),
          t.name("restart_max_delay_ms")
              + ": must be at least restart_delay_ms ("
              + delay.toMillis()
              + "), not "
              + maxDelay.toMillis());
      maxDelay = delay;
    }
    int maxRestarts =
        t.integer("max_restarts", 1, MAX_RESTARTS, "").map(Long::intValue).orElse(d.maxRestarts());
    Duration window = millis(t, "restart_window_ms", 1, ms).orElse(d.window());
    Duration drain = millis(t, DRAIN, 0, ms).orElse(d.drainTimeout());
    return new Supervision(restart, delay, maxDelay, maxRestarts, window, drain);
  }

  private static Optional<Duration> millis(ManifestTable t, String key, long min, String note) {
    return t.integer(key, min, HOUR_MS, note).map(Duration::ofMillis);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
