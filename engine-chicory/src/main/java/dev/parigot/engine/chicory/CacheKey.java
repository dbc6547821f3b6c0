package dev.parigot.engine.chicory;

import dev.parigot.abi.Abi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The module cache key of a module: its digest and everything else the classes it compiles to
 * depend on, so that an entry is never read by an engine that would compile the module otherwise.
 *
 * <ul>
 *   <li>this engine's own code (the loader, {@link PreemptibleClasses}' poll, {@link CountedLoops},
 *       the entry layout...): a digest of its jar, or of its class files when it runs from a
 *       directory, so that any change to it, released or not, makes new keys;
 *   <li>Chicory's version (its compiler, and the runtime helpers it copies into every module) and
 *       the ASM that writes the classes: a digest of ASM's ClassWriter;
 *   <li>the compile options {@link ModuleLoader} gives Chicory's compiler, the Java release the
 *       classes are defined in, the ABI version the imports are checked against, and the entry
 *       layout ({@link ModuleEntry#FORMAT}).
 * </ul>
 *
 * <p>The JIT options ({@link JitOptions}) change how the JVM runs the classes, not the classes: an
 * entry is valid under any.
 */
final class CacheKey {
  private static final System.Logger LOG = System.getLogger("dev.parigot.engine");

  /** What {@link ModuleLoader} asks Chicory's compiler for, beyond its defaults. */
  static final String COMPILE_OPTIONS = "interpreter fallback silent";

  /** The ASM class whose digest stands for the ASM that writes the classes. */
  static final String ASM_CLASS_WRITER = "org.objectweb.asm.ClassWriter";

  private CacheKey() {}

  /**
   * The key of the module with SHA-256 {@code digest}; empty, with a warning the first time, if
   * this engine's code cannot be read to be digested.
   */
  static Optional<String> of(String digest) {
    return Code.PREFIX.map(prefix -> prefix + "; module " + digest);
  }

  /** Computed on first use, once per JVM. */
  private static final class Code {
    static final Optional<String> PREFIX = prefix();

    private static Optional<String> prefix() {
      try {
        return Optional.of(parts());
      } catch (UncheckedIOException e) {
        LOG.log(
            Level.WARNING,
            "module cache: not used, since the engine cannot tell its own version: {0}",
            e.getCause().getMessage());
        return Optional.empty();
      }
    }

    private static String parts() {
      return String.join(
          "; ",
          "parigot compiled module " + ModuleEntry.FORMAT,
          "engine " + engineDigest(),
          "chicory " + ChicoryEngine.chicoryVersion(),
          "asm " + classDigest(ASM_CLASS_WRITER),
          "java " + Runtime.version().feature(),
          "abi " + Abi.VERSION,
          COMPILE_OPTIONS);
    }
  }

  /** A digest of the jar or directory this engine's classes come from. */
  private static String engineDigest() {
    var source = CacheKey.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new UncheckedIOException(new IOException("the engine's code has no location"));
    }
    try {
      return codeDigest(Path.of(source.getLocation().toURI()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new UncheckedIOException(
          new IOException("the engine's code is at " + source.getLocation() + ": " + e, e));
    }
  }

  /**
   * A digest of the classes in a directory or a jar. Of a directory, over each file's path and
   * bytes. Of a jar, over each entry's name, size and CRC-32 as its central directory lists them,
   * which the class loader has read already: hashing the whole jar was milliseconds of every start
   * (docs/benchmarks.md, "Cold start, second pass"), and a changed class changes its entry's
   * CRC-32.
   */
  static String codeDigest(Path location) throws IOException {
    MessageDigest sha = sha256();
    if (Files.isDirectory(location)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(location)) {
        files = walk.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path file : files) {
        sha.update(location.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
        sha.update(Files.readAllBytes(file));
      }
    } else {
      try (JarFile jar = new JarFile(location.toFile(), false)) {
        var entries = jar.entries();
        var sizes = ByteBuffer.allocate(2 * Long.BYTES);
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          sha.update(entry.getName().getBytes(StandardCharsets.UTF_8));
          sha.update(sizes.clear().putLong(entry.getSize()).putLong(entry.getCrc()).flip());
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * A digest of one class file, read as a resource rather than loaded: ASM is not needed on a cache
   * hit. Class files are readable in any module.
   */
  static String classDigest(String binaryName) {
    String file = binaryName.replace('.', '/') + ".class";
    try (InputStream in = CacheKey.class.getClassLoader().getResourceAsStream(file)) {
      if (in == null) {
        throw new IOException("no class file for " + binaryName);
      }
      return HexFormat.of().formatHex(sha256().digest(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
