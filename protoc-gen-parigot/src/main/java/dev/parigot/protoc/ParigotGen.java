package dev.parigot.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import dev.parigot.errors.ParigotException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Generates C for guests from .proto files: protoc parses them (with their imports) into a
 * descriptor set, and {@link ParigotPlugin#generate} turns that into C in this JVM, so no plugin
 * executable is needed.
 *
 * <p>{@link #main} is the same as {@code parigot gen --lang c}, for builds that run Java directly,
 * such as Maven's exec-maven-plugin (see sdk/c/README.md).
 */
public final class ParigotGen {
  /**
   * Generation failed: protoc is missing, refused the input, or the generator did. Declared by the
   * methods that throw it, though unchecked, as every Parigot failure is.
   */
  public static final class GenerationException extends ParigotException {
    private static final long serialVersionUID = 1L;

    GenerationException(String message) {
      super(message);
    }

    GenerationException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private ParigotGen() {}

  /**
   * Writes {@code x.pg.h} and {@code x.pg.c} for every {@code x.proto} in {@code protos} under
   * {@code outDir}, at the proto's path relative to its include directory, and returns the paths
   * written. Each proto must lie under one of {@code includeDirs} (protoc's {@code -I}). Imported
   * files are read but not generated; generate them too if they are yours.
   */
  public static List<Path> generate(List<Path> protos, List<Path> includeDirs, Path outDir)
      throws IOException, GenerationException {
    return generate(protos, includeDirs, outDir, null);
  }

  /**
   * As {@link #generate(List, List, Path)}, running the protoc executable {@code protoc}; null
   * finds it as {@code parigot gen} does ({@code $PARIGOT_PROTOC}, else next to this library).
   */
  public static List<Path> generate(
      List<Path> protos, List<Path> includeDirs, Path outDir, Path protoc)
      throws IOException, GenerationException {
    return generate(protos, includeDirs, outDir, protoc, Lang.C);
  }

  /**
   * As {@link #generate(List, List, Path, Path)}, in the language given: for {@link Lang#AS}, one
   * {@code x.ts} per {@code x.proto}.
   */
  public static List<Path> generate(
      List<Path> protos, List<Path> includeDirs, Path outDir, Path protoc, Lang lang)
      throws IOException, GenerationException {
    if (protos.isEmpty()) {
      throw new GenerationException("no .proto files given");
    }
    List<Path> dirs = includeDirs.isEmpty() ? List.of(Path.of("")) : includeDirs;
    List<String> names = new ArrayList<>();
    for (Path proto : protos) {
      names.add(protoName(proto, dirs));
    }
    Path exe = protoc == null ? Protoc.locate() : Protoc.given(protoc);
    FileDescriptorSet set = Protoc.descriptorSet(exe, protos, dirs);
    CodeGeneratorRequest request =
        CodeGeneratorRequest.newBuilder()
            .addAllProtoFile(set.getFileList())
            .addAllFileToGenerate(names)
            .build();
    CodeGeneratorResponse response = ParigotPlugin.generate(request, lang);
    if (response.hasError()) {
      throw new GenerationException(response.getError());
    }
    List<Path> written = new ArrayList<>();
    for (CodeGeneratorResponse.File f : response.getFileList()) {
      Path target = outDir.resolve(f.getName()).normalize();
      if (!target.startsWith(outDir.normalize())) {
        throw new GenerationException("refusing to write outside " + outDir + ": " + f.getName());
      }
      Files.createDirectories(target.getParent());
      Files.writeString(target, f.getContent(), StandardCharsets.UTF_8);
      written.add(target);
    }
    return written;
  }

  /**
   * Generates C, as {@code parigot gen --lang c}:
   *
   * <pre>--out DIR [-I DIR]... [--protoc FILE] (FILE.proto | DIR)...</pre>
   *
   * <p>A directory stands for every {@code .proto} file below it. {@code -I} (also {@code
   * --proto-path}) is where imports are looked for, as protoc's, and every file must lie under one;
   * without it, the current directory. {@code --protoc} is the protoc executable to run (else
   * {@code $PARIGOT_PROTOC}, else the one next to this library). Prints each file written. Fails by
   * throwing, never by exiting, so it can run inside a build tool's JVM.
   *
   * @throws IllegalArgumentException for a malformed command line
   * @throws GenerationException if protoc or the generator refused the input
   */
  public static void main(String[] args) throws IOException, GenerationException {
    Path out = null;
    Path protoc = null;
    List<Path> includes = new ArrayList<>();
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--out" -> out = Path.of(value(args, ++i, a));
        case "-I", "--proto-path" -> includes.add(Path.of(value(args, ++i, a)));
        case "--protoc" -> protoc = Path.of(value(args, ++i, a));
        default -> {
          if (a.startsWith("-I") && a.length() > 2) {
            includes.add(Path.of(a.substring(2)));
          } else if (a.startsWith("-")) {
            throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
          } else {
            inputs.add(Path.of(a));
          }
        }
      }
    }
    if (out == null) {
      throw new IllegalArgumentException("--out is required; " + USAGE);
    }
    List<Path> protos = new ArrayList<>();
    for (Path in : inputs) {
      if (Files.isDirectory(in)) {
        try (Stream<Path> files = Files.walk(in)) {
          files
              .filter(f -> f.toString().endsWith(".proto") && Files.isRegularFile(f))
              .sorted()
              .forEach(protos::add);
        }
      } else {
        protos.add(in);
      }
    }
    for (Path written : generate(protos, includes, out, protoc)) {
      System.out.println(written);
    }
  }

  private static final String USAGE =
      "usage: --out DIR [-I DIR]... [--protoc FILE] (FILE.proto | DIR)...";

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value; " + USAGE);
    }
    return args[i];
  }

  /** The name protoc gives a file: its path below the first include directory holding it. */
  private static String protoName(Path proto, List<Path> includeDirs) throws GenerationException {
    Path file = proto.toAbsolutePath().normalize();
    for (Path dir : includeDirs) {
      Path d = dir.toAbsolutePath().normalize();
      if (file.startsWith(d)) {
        return d.relativize(file).toString().replace(java.io.File.separatorChar, '/');
      }
    }
    throw new GenerationException(
        proto
            + " is not under an include directory (-I): "
            + includeDirs.stream().map(d -> d.toAbsolutePath().normalize()).toList());
  }
}
