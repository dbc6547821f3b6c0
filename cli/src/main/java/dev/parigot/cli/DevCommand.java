package dev.parigot.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code parigot dev}: runs an app, and rebuilds and restarts it as its sources change. */
@Command(
    name = "dev",
    description =
        "Runs an app and watches its manifest and the directories of its modules: when a file"
            + " changes, runs make (the module's directory's Makefile) for each module. A changed"
            + " service gets its new module while the rest of the app runs on; an app with a main"
            + " program, or a changed manifest, is restarted, with the data it has. A failed build"
            + " is shown and the running version stays. Runs until interrupted.")
final class DevCommand implements Callable<Integer> {
  @Parameters(paramLabel = "APP.toml", description = "The app's manifest.")
  Path manifest;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show process life cycle, and where each module came from.")
  boolean verbose;

  @Mixin DataDirOption dataDir;

  @Mixin ListenOption listen;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Main.configureLogging(verbose);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    var loop =
        new DevLoop(
            manifest,
            dataDir,
            listen,
            spec.commandLine(),
            CompileProgress.forCommand(verbose, err),
            Map.of(),
            out,
            err);
    return loop.run();
  }
}
