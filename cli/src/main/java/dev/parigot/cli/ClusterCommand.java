package dev.parigot.cli;

import dev.parigot.cluster.ClusterConfig;
import dev.parigot.cluster.ClusterNode;
import dev.parigot.cluster.ClusterSection;
import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.Manifest;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parigot cluster config}, and {@code parigot run --node}: the commands of an app whose
 * manifest has {@code [cluster]}. Kept apart from {@link Main} so that a run without {@code
 * [cluster]} loads nothing of NATS.
 */
@Command(
    name = "cluster",
    description = "Commands for an app split over several kernels with NATS ([cluster]).",
    subcommands = {ClusterCommand.Config.class})
final class ClusterCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: config");
  }

  /** {@code parigot run APP.toml --node NAME}: runs one node until its mains end or Ctrl-C. */
  static int runNode(
      Path manifest,
      String node,
      ListenOption listen,
      CommandLine cli,
      boolean verbose,
      PrintWriter out,
      PrintWriter err)
      throws InterruptedException {
    Main.configureLogging(verbose);
    try {
      Manifest m = Manifest.load(manifest);
      Optional<InetSocketAddress> address = listen.address(m, cli);
      ClusterNode running =
          ClusterNode.start(
              m,
              node,
              (process, stderr, line) -> {
                PrintWriter to = stderr ? err : out;
                to.println(process + ": " + line);
                to.flush();
              },
              Optional.of(CompileProgress.forCommand(verbose, err)),
              address);
      Thread hook =
          new Thread(
              () -> {
                err.println("parigot: interrupted; stopping node '" + node + "'");
                err.flush();
                running.close();
              },
              "parigot-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      err.println("parigot: node '" + node + "' of app '" + m.app() + "' is running");
      running
          .httpAddress()
          .ifPresent(a -> {
            String ip = a.getAddress().getHostAddress();
            err.println(
                "parigot: node '"
                    + node
                    + "' serves the app's HTTP on http://"
                    + (ip.contains(":") ? "[" + ip + "]" : ip)
                    + ":"
                    + a.getPort()
                    + "/");
          });
      err.flush();
      try {
        return running.awaitMains();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // The JVM is shutting down: the hook closes the node.
        }
        running.close();
      }
    } catch (ParigotException e) {
      err.println("parigot: " + e.getMessage());
      return Main.REFUSED;
    }
  }

  @Command(
      name = "config",
      description =
          "Writes the NATS server's account and users for an app from its manifest: one user per"
              + " program, allowed what its manifest grants, and each program's password.")
  static final class Config implements Callable<Integer> {
    @Parameters(paramLabel = "APP.toml", description = "The app's manifest, with [cluster].")
    Path manifest;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Where to write (default: [cluster] credentials).")
    Path out;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      try {
        Manifest m = Manifest.load(manifest);
        Optional<Path> dir =
            Optional.ofNullable(out)
                .or(() -> m.section(ClusterSection.KEY).flatMap(c -> c.credentials()));
        if (dir.isEmpty()) {
          err.println(
              "parigot: cluster config: give --out DIR, or set credentials in [cluster] of "
                  + manifest);
          return Main.REFUSED;
        }
        for (Path written : ClusterConfig.write(m, dir.get())) {
          spec.commandLine().getOut().println(written);
        }
        spec.commandLine()
            .getOut()
            .println(
                "include "
                    + dir.get().resolve(ClusterConfig.ACCOUNTS_FILE)
                    + " from the nats-server configuration");
        return 0;
      } catch (ParigotException e) {
        err.println("parigot: " + e.getMessage());
        return Main.REFUSED;
      }
    }
  }
}
