package dev.parigot.host;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Manifest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Runs the app of the manifest given as its argument as {@code parigot run} does, with the shutdown
 * hook, until the JVM is stopped; AppHostTest sends it SIGTERM. Says on stdout: "serving PORT" once
 * started, "notice" when the hook begins, "ended PROCESS CODE REASON" per ending.
 */
final class ShutdownChild {
  private ShutdownChild() {}

  public static void main(String[] args) throws InterruptedException {
    PrintStream out = System.out;
    Kernel.Output output =
        new Kernel.Output() {
          @Override
          public void line(String process, boolean stderr, String line) {
            say(out, process + ": " + line);
          }

          @Override
          public void ended(String process, int code, Optional<String> killReason) {
            say(out, "ended " + process + " " + code + " " + killReason.orElse(""));
          }
        };
    AppHost host =
        AppHost.builder(Manifest.load(Path.of(args[0])))
            .output(output)
            .closeOnShutdown(() -> say(out, "notice"))
            .build();
    try (RunningApp app = host.start()) {
      say(out, "serving " + app.httpAddress().orElseThrow().getPort());
      app.awaitMains();
    }
  }

  private static void say(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
