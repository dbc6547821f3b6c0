package dev.parigot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parigot new}: a new app from one of the templates, the cli's resources under {@code
 * templates/NAME/}, each listing its files in {@code files}. In the files and their names,
 * {@code @NAME@} is the app's name, {@code @IDENT@} the name as a C identifier and proto package
 * ('-' as '_'), and {@code @ROOT@} the Parigot checkout whose C SDK builds it.
 */
@Command(
    name = "new",
    description =
        "Creates an app in a new directory NAME from a template: its proto, C sources, manifest,"
            + " test program and Makefile (sdk/c/parigot.mk). Then: cd NAME && make && parigot"
            + " test app.toml.")
final class NewCommand implements Callable<Integer> {
  static final List<String> TEMPLATES = List.of("service", "http", "worker", "test");
  private static final Pattern APP = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  @Parameters(
      paramLabel = "NAME",
      description = "The new directory; its last segment names the app ([a-z][a-z0-9-]*).")
  Path dir;

  @Option(
      names = "--template",
      paramLabel = "TEMPLATE",
      defaultValue = "service",
      description =
          "service (a service, a client and a test; the default), http (an HTTP front door and"
              + " its test), worker (a main spreading work over workers) or test (a C function"
              + " and its test program).")
  String template;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String name = dir.toAbsolutePath().normalize().getFileName() + "";
    if (!APP.matcher(name).matches()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "new: '"
              + name
              + "' cannot name an app: 1 to 63 characters, a lower-case letter, then lower-case"
              + " letters, digits or '-'");
    }
    if (!TEMPLATES.contains(template)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "new: no template '" + template + "'; one of " + String.join(", ", TEMPLATES));
    }
    Optional<Path> root = root();
    if (root.isEmpty()) {
      err.println(
          "parigot: new: cannot find the Parigot checkout whose C SDK (sdk/c/parigot.mk) builds"
              + " the app; set PARIGOT_ROOT to it");
      return Main.REFUSED;
    }
    try {
      Files.createDirectories(dir.toAbsolutePath().getParent());
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      err.println("parigot: new: " + dir + " already exists; name a new directory");
      return Main.REFUSED;
    } catch (IOException e) {
      err.println("parigot: new: cannot create " + dir + ": " + e.getMessage());
      return Main.REFUSED;
    }
    String ident = name.replace('-', '_');
    try {
      for (String file : resource(template + "/files").lines().toList()) {
        String text =
            resource(template + "/" + file)
                .replace("@NAME@", name)
                .replace("@IDENT@", ident)
                .replace("@ROOT@", root.get().toString());
        Files.writeString(dir.resolve(file.replace("@IDENT@", ident)), text);
      }
    } catch (IOException e) {
      err.println("parigot: new: cannot write in " + dir + ": " + e.getMessage());
      return Main.REFUSED;
    }
    out.println(
        "parigot: created app '"
            + name
            + "' in "
            + dir
            + " from template "
            + template
            + "; build and test it with: cd "
            + dir
            + " && make && parigot test app.toml");
    return 0;
  }

  /** A template's resource, as text. */
  private static String resource(String path) throws IOException {
    try (InputStream in = NewCommand.class.getResourceAsStream("templates/" + path)) {
      if (in == null) {
        throw new IOException("the cli has no template file " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * The Parigot checkout: $PARIGOT_ROOT, else the one this cli was built in (its jar or classes are
   * in cli/target), if it has the C SDK.
   */
  static Optional<Path> root() {
    String env = System.getenv("PARIGOT_ROOT");
    Optional<Path> candidate;
    if (env != null && !env.isEmpty()) {
      candidate = Optional.of(Path.of(env));
    } else {
      try {
        Path code =
            Path.of(NewCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // cli/target/parigot-cli.jar or cli/target/classes
        candidate = Optional.ofNullable(code.getParent()).map(Path::getParent).map(Path::getParent);
      } catch (URISyntaxException | UncheckedIOException | SecurityException e) {
        candidate = Optional.empty();
      }
    }
    return candidate
        .map(p -> p.toAbsolutePath().normalize())
        .filter(p -> Files.isRegularFile(p.resolve("sdk/c/parigot.mk")));
  }
}
