package dev.parigot.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds and runs the protoc executable. */
final class Protoc {
  /** Overrides where protoc is looked for. */
  static final String ENV = "PARIGOT_PROTOC";

  private Protoc() {}

  /**
   * The protoc to run: {@code $PARIGOT_PROTOC}, else the file {@code protoc} next to this library's
   * jar (the CLI's lib directory) or classes directory (a module's target). The build copies it
   * there from the {@code com.google.protobuf:protoc} artifact.
   */
  static Path locate() throws ParigotGen.GenerationException {
    String env = System.getenv(ENV);
    Path protoc = env != null && !env.isEmpty() ? Path.of(env) : besideCode().resolve("protoc");
    if (!Files.isRegularFile(protoc)) {
      throw new ParigotGen.GenerationException(
          env != null && !env.isEmpty()
              ? ENV + "=" + env + " is not a file"
              : "protoc not found at "
                  + protoc
                  + ": build with ./mvnw, which copies it there from the"
                  + " com.google.protobuf:protoc artifact, or set "
                  + ENV
                  + " to a protoc executable");
    }
    // Maven copies artifacts without the executable bit.
    if (!Files.isExecutable(protoc) && !protoc.toFile().setExecutable(true)) {
      throw new ParigotGen.GenerationException(protoc + " is not executable");
    }
    return protoc;
  }

  /** An explicitly given protoc (ParigotGen's --protoc), made executable if it is not. */
  static Path given(Path protoc) throws ParigotGen.GenerationException {
    if (!Files.isRegularFile(protoc)) {
      throw new ParigotGen.GenerationException("--protoc " + protoc + " is not a file");
    }
    if (!Files.isExecutable(protoc) && !protoc.toFile().setExecutable(true)) {
      throw new ParigotGen.GenerationException(protoc + " is not executable");
    }
    return protoc;
  }

  private static Path besideCode() throws ParigotGen.GenerationException {
    try {
      Path code = Path.of(Protoc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return code.getParent();
    } catch (URISyntaxException | RuntimeException e) {
      throw new ParigotGen.GenerationException("cannot tell where protoc-gen-parigot runs from", e);
    }
  }

  /**
   * Parses {@code protos} with their imports into one descriptor set, in dependency order. protoc's
   * own messages (syntax errors, missing imports) become the exception's message.
   */
  static FileDescriptorSet descriptorSet(Path protoc, List<Path> protos, List<Path> includeDirs)
      throws IOException, ParigotGen.GenerationException {
    Path out = Files.createTempFile("parigot-gen", ".pb");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(protoc.toString());
      for (Path dir : includeDirs) {
        cmd.add("--proto_path=" + dir);
      }
      cmd.add("--include_imports");
      cmd.add("--descriptor_set_out=" + out);
      for (Path proto : protos) {
        cmd.add(proto.toString());
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String messages = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code;
      try {
        code = p.waitFor();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running protoc", e);
      }
      if (code != 0) {
        throw new ParigotGen.GenerationException(messages.strip());
      }
      return FileDescriptorSet.parseFrom(Files.readAllBytes(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
