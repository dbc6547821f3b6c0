package dev.parigot.cli;

import dev.parigot.errors.ParigotException;
import dev.parigot.host.AdminClient;
import dev.parigot.kernel.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code parigot upgrade}: a running app's program gets a new module, without losing a call. */
@Command(
    name = "upgrade",
    description =
        "Gives a service program of a running app (parigot run --admin PORT) a new module: the"
            + " module is checked and new processes started first, then new calls go to them and"
            + " the old ones finish theirs. A refused module leaves the old version serving.")
final class UpgradeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "APP.toml", description = "The running app's manifest.")
  Path manifest;

  @Parameters(index = "1", paramLabel = "PROGRAM", description = "The service program.")
  String program;

  @Parameters(index = "2", paramLabel = "NEW.wasm", description = "Its new module.")
  Path wasm;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "The app's data directory, if run was given one.")
  Path dataDir;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    if (!Files.isRegularFile(wasm)) {
      err.println("parigot: upgrade: " + wasm + ": no such file");
      return Main.REFUSED;
    }
    try {
      Path data = dataDir != null ? dataDir : Manifest.load(manifest).dataDir();
      AdminClient.of(data).upgrade(program, wasm);
      spec.commandLine().getOut().println("program '" + program + "' upgraded to " + wasm);
      return 0;
    } catch (ParigotException e) {
      err.println("parigot: upgrade: " + e.getMessage());
      return 1;
    }
  }
}
