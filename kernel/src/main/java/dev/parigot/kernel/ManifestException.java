package dev.parigot.kernel;

import dev.parigot.errors.ParigotException;
import java.nio.file.Path;
import java.util.List;

/**
 * A manifest could not be read or does not describe a runnable app.
 *
 * <p>It carries every problem found, not only the first, so that one check shows all that needs
 * fixing. Each problem is one line naming the file and, where known, the line, the program and the
 * key, e.g. {@code app.toml:7: program 'greeter': limits.memory_mib: must be ...}. The message
 * shows the first {@value #SHOWN} and how many more there are; {@link #problems} has them all.
 */
public final class ManifestException extends ParigotException {
  private static final long serialVersionUID = 1L;

  /** How many problems the message shows: a manifest of a thousand bad keys is not a page. */
  static final int SHOWN = 50;

  @SuppressWarnings("serial") // List.copyOf lists are serializable
  private final List<String> problems;

  ManifestException(Path file, List<String> problems) {
    super(message(file, problems));
    this.problems = List.copyOf(problems);
  }

  ManifestException(Path file, List<String> problems, Throwable cause) {
    super(message(file, problems), cause);
    this.problems = List.copyOf(problems);
  }

  /**
   * Returns the problems found, in the order of the lines they concern.
   *
   * @return one or more problems, each a single line of text
   */
  public List<String> problems() {
    return problems;
  }

  private static String message(Path file, List<String> problems) {
    var text = new StringBuilder().append(file).append(": ").append(problems.size());
    text.append(problems.size() == 1 ? " problem" : " problems");
    problems.stream().limit(SHOWN).forEach(p -> text.append("\n  ").append(p));
    if (problems.size() > SHOWN) {
      text.append("\n  and ").append(problems.size() - SHOWN).append(" more");
    }
    return text.toString();
  }
}
