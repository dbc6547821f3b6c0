package dev.parigot.cli;

import dev.parigot.errors.ParigotException;
import dev.parigot.host.AdminClient;
import dev.parigot.kernel.ProcessInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parigot top}: a running app's processes and calls as a table that refreshes until {@code
 * q} or Ctrl-C; {@code --once} or {@code --iterations} bound it, for scripts and tests.
 */
@Command(
    name = "top",
    description =
        "Shows a running app's processes (busiest first) and its calls, refreshed until q or"
            + " Ctrl-C, through its admin endpoint (parigot run --admin PORT).")
final class TopCommand implements Callable<Integer> {
  private static final String CLEAR = "\033[H\033[2J";

  @Mixin AdminTarget target;

  @Option(
      names = "--interval",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "Milliseconds between refreshes (at least 100; default 1000).")
  long intervalMillis;

  @Option(
      names = {"-n", "--iterations"},
      paramLabel = "N",
      description = "Stop after N refreshes.")
  Integer iterations;

  @Option(names = "--once", description = "Show one table and stop (--iterations 1).")
  boolean once;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cli = spec.commandLine();
    if (intervalMillis < 100) {
      throw new CommandLine.ParameterException(
          cli, "--interval must be at least 100 ms, not " + intervalMillis);
    }
    if (iterations != null && iterations < 1) {
      throw new CommandLine.ParameterException(
          cli, "--iterations must be at least 1, not " + iterations);
    }
    long rounds = once ? 1 : iterations != null ? iterations : Long.MAX_VALUE;
    PrintWriter out = cli.getOut();
    boolean live = System.console() != null && rounds > 1;
    try {
      AdminClient client = target.client(cli);
      var quit = new CountDownLatch(1);
      try (Keys keys = live ? Keys.watch(quit) : Keys.NONE) {
        for (long i = 0; i < rounds; i++) {
          String screen = screen(client, live);
          out.print(live ? CLEAR + screen : screen);
          out.flush();
          if (i + 1 < rounds && quit.await(intervalMillis, TimeUnit.MILLISECONDS)) {
            break;
          }
        }
      }
      return 0;
    } catch (ParigotException e) {
      cli.getErr().println("parigot: top: " + e.getMessage());
      return 1;
    }
  }

  private static String screen(AdminClient client, boolean live) {
    var processes = new ArrayList<>(client.processes());
    processes.sort(
        Comparator.comparingLong(ProcessInfo::cpuNanos)
            .reversed()
            .thenComparingLong(ProcessInfo::pid));
    List<AdminClient.Calls> calls = client.calls();
    var s = new StringBuilder();
    String app = processes.isEmpty() ? "" : " " + processes.getFirst().app();
    s.append(
        String.format(
            Locale.ROOT,
            "parigot top%s at %s: %d processes, %s memory%s%n%n",
            app,
            client.address(),
            processes.size(),
            AdminTarget.bytes(processes.stream().mapToLong(ProcessInfo::memoryBytes).sum()),
            live ? "  " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "  q quits" : ""));
    s.append(AdminTarget.table(processes)).append('\n');
    String row = "%-14s %-14s %-28s %6s %9s %8s %7s%n";
    s.append(
        String.format(
            Locale.ROOT, row, "CALLER", "CALLEE", "SERVICE", "METHOD", "CALLS", "PER S", "ERRORS"));
    for (AdminClient.Calls c : calls) {
      s.append(
          String.format(
              Locale.ROOT,
              row,
              c.caller(),
              c.callee(),
              c.service(),
              c.method(),
              c.calls(),
              String.format(Locale.ROOT, "%.2f", c.perSecond()),
              c.errors()));
    }
    return s.toString();
  }

  /**
   * Watches the terminal for {@code q}: puts it in non-canonical mode (keys arrive without Enter;
   * Ctrl-C still interrupts) and puts it back on close, or when the JVM exits on Ctrl-C.
   */
  private static class Keys implements AutoCloseable {
    static final Keys NONE = new Keys();

    @Override
    public void close() {}

    static Keys watch(CountDownLatch quit) {
      if (!stty("-icanon", "min", "1", "-echo")) {
        return NONE;
      }
      Thread restore = new Thread(() -> stty("sane"), "parigot-top-tty");
      Runtime.getRuntime().addShutdownHook(restore);
      Thread reader =
          Thread.ofVirtual()
              .start(() -> {
                InputStream in = System.in;
                try {
                  for (int c = in.read(); c != -1; c = in.read()) {
                    if (c == 'q' || c == 'Q' || c == 3) {
                      quit.countDown();
                      return;
                    }
                  }
                } catch (IOException e) {
                  // No keyboard: Ctrl-C still ends top.
                }
              });
      return new Keys() {
        @Override
        public void close() {
          reader.interrupt();
          stty("sane");
          Runtime.getRuntime().removeShutdownHook(restore);
        }
      };
    }

    private static boolean stty(String... args) {
      var command = new ArrayList<String>(List.of("stty"));
      command.addAll(List.of(args));
      try {
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
                .start()
                .waitFor()
            == 0;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
