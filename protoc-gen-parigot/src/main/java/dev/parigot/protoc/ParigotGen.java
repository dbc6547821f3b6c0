package dev.parigot.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates C for guests from .proto files: protoc parses them (with their imports) into a
 * descriptor set, and {@link ParigotPlugin#generate} turns that into C in this JVM, so no plugin
 * executable is needed.
 */
public final class ParigotGen {
  /** Generation failed: protoc is missing, refused the input, or the generator did. */
  public static final class GenerationException extends Exception {
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
    if (protos.isEmpty()) {
      throw new GenerationException("no .proto files given");
    }
    List<Path> dirs = includeDirs.isEmpty() ? List.of(Path.of("")) : includeDirs;
    List<String> names = new ArrayList<>();
    for (Path proto : protos) {
      names.add(protoName(proto, dirs));
    }
    FileDescriptorSet set = Protoc.descriptorSet(Protoc.locate(), protos, dirs);
    CodeGeneratorRequest request =
        CodeGeneratorRequest.newBuilder()
            .addAllProtoFile(set.getFileList())
            .addAllFileToGenerate(names)
            .build();
    CodeGeneratorResponse response = ParigotPlugin.generate(request);
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
        proto + " is not under an include directory (-I): " + includeDirs.stream().map(d -> d.toAbsolutePath().normalize()).toList());
  }
}
