package dev.parigot.cli;

import dev.parigot.engine.spi.ModuleCache;
import dev.parigot.errors.ParigotException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code parigot cache}: the compiled-module cache. */
@Command(
    name = "cache",
    description =
        "Manages the compiled-module cache: $PARIGOT_CACHE, else $XDG_CACHE_HOME/parigot, else"
            + " ~/.cache/parigot, holding at most $PARIGOT_CACHE_MAX_MIB MiB (default 1024).",
    subcommands = {CacheCommand.Clear.class})
final class CacheCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a cache command: clear");
  }

  @Command(
      name = "clear",
      description =
          "Deletes every compiled module from the cache: the next run of each module compiles it"
              + " again.")
  static final class Clear implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try {
        ModuleCache cache = ModuleCache.standard();
        int deleted = cache.clear();
        spec.commandLine()
            .getOut()
            .println(
                "parigot: deleted "
                    + deleted
                    + " compiled module"
                    + (deleted == 1 ? "" : "s")
                    + " from "
                    + cache.directory());
        return 0;
      } catch (ParigotException e) {
        spec.commandLine().getErr().println("parigot: " + e.getMessage());
        return 1;
      }
    }
  }
}
