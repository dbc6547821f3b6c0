package dev.parigot.cli;

import dev.parigot.errors.ParigotException;
import dev.parigot.kernel.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code parigot ps}: a running app's processes, once. */
@Command(
    name = "ps",
    description =
        "Lists a running app's processes through its admin endpoint (parigot run --admin PORT).")
final class PsCommand implements Callable<Integer> {
  @Mixin AdminTarget target;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try {
      var processes = new ArrayList<>(target.client(spec.commandLine()).processes());
      processes.sort(Comparator.comparingLong(ProcessInfo::pid));
      spec.commandLine().getOut().print(AdminTarget.table(processes));
      spec.commandLine().getOut().flush();
      return 0;
    } catch (ParigotException e) {
      spec.commandLine().getErr().println("parigot: ps: " + e.getMessage());
      return 1;
    }
  }
}
