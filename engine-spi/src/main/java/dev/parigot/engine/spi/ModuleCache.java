package dev.parigot.engine.spi;

import dev.parigot.errors.ParigotException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A directory where engines keep the modules they compiled, so that the next run of the same module
 * skips the compile (RATIONALE.md, "Why a compiled-module cache on disk?"). An engine uses it once
 * given one ({@link Engine#withCache}); what an entry holds is the engine's business, and its key
 * names everything the entry depends on.
 *
 * <p>Each entry is one file, named by the SHA-256 of its key, that starts with a SHA-256 over the
 * key and the entry. {@link #read} checks it before it returns anything: a truncated, corrupt or
 * edited file is deleted and read as absent. {@link #write} writes a temporary file and renames it
 * over the entry atomically, so readers see a whole entry or none, and two writers of one entry
 * (two kernels starting the same app) leave one of theirs. After a write the least recently read or
 * written entries are deleted until the entries fit in {@link #maxBytes}.
 *
 * <p>The cache never fails its caller: an entry that cannot be read is absent, and a directory that
 * cannot be written (or that other users may write, since entries become code in the kernel's JVM)
 * is reported by one warning, after which nothing more is written. Thread-safe, and safe for any
 * number of processes sharing the directory.
 */
public final class ModuleCache {
  /** The size bound unless {@code PARIGOT_CACHE_MAX_MIB} says otherwise: 1 GiB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  private static final System.Logger LOG = System.getLogger("dev.parigot.engine");
  private static final byte[] MAGIC = "parigot-module-cache\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DIGEST_BYTES = 32;
  private static final String SUFFIX = ".module";
  private static final Pattern ENTRY = Pattern.compile("[0-9a-f]{64}\\.module");
  private static final Pattern TEMPORARY =
      Pattern.compile("\\.[0-9a-f]{64}\\.module\\.[0-9]+\\.tmp");
  // A writer that died left its temporary file: removed once older than any write could take.
  private static final Duration ABANDONED = Duration.ofHours(1);
  private static final Set<PosixFilePermission> OTHERS_WRITE =
      Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private final Path directory;
  private final long maxBytes;
  // Set by the first failure to write, with its one warning; reads go on.
  private final AtomicBoolean readOnly = new AtomicBoolean();

  private ModuleCache(Path directory, long maxBytes) {
    this.directory = directory;
    this.maxBytes = maxBytes;
  }

  /**
   * A cache in {@code directory}, created when the first entry is written, with its entries held to
   * {@code maxBytes} in all (0: nothing is stored).
   *
   * @throws IllegalArgumentException if {@code maxBytes} is negative
   */
  public static ModuleCache at(Path directory, long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    }
    return new ModuleCache(directory.toAbsolutePath().normalize(), maxBytes);
  }

  /**
   * The user's cache, as the {@code parigot} command uses it: in {@code $PARIGOT_CACHE}, else in
   * {@code $XDG_CACHE_HOME/parigot}, else in {@code ~/.cache/parigot}; bounded to {@code
   * $PARIGOT_CACHE_MAX_MIB} MiB, by default {@link #DEFAULT_MAX_BYTES}.
   *
   * @throws ParigotException if {@code PARIGOT_CACHE_MAX_MIB} is not a whole number of MiB
   */
  public static ModuleCache standard() {
    return standard(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  static ModuleCache standard(Map<String, String> environment, Path home) {
    String dir = environment.getOrDefault("PARIGOT_CACHE", "");
    String xdg = environment.getOrDefault("XDG_CACHE_HOME", "");
    Path directory;
    if (!dir.isEmpty()) {
      directory = Path.of(dir);
    } else if (!xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      // The XDG spec: a relative path in the variable is invalid and is ignored.
      directory = Path.of(xdg, "parigot");
    } else {
      directory = home.resolve(".cache").resolve("parigot");
    }
    String max = environment.getOrDefault("PARIGOT_CACHE_MAX_MIB", "");
    long maxBytes = DEFAULT_MAX_BYTES;
    if (!max.isEmpty()) {
      try {
        long mib = Long.parseLong(max.strip());
        if (mib < 0 || mib > Long.MAX_VALUE >> 20) {
          throw new NumberFormatException();
        }
        maxBytes = mib << 20;
      } catch (NumberFormatException e) {
        throw new ParigotException(
            "PARIGOT_CACHE_MAX_MIB must be a whole number of MiB (0 stores nothing), not '"
                + max
                + "'");
      }
    }
    return at(directory, maxBytes);
  }

  /** Where the entries are. */
  public Path directory() {
    return directory;
  }

  /** The most the entries may take in all, in bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The entry stored under {@code key}, if there is an intact one. Reading it makes it the most
   * recently used. A damaged entry is deleted, with a warning, and read as absent.
   */
  public Optional<byte[]> read(String key) {
    Path file = entryFile(key);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | OutOfMemoryError e) {
      LOG.log(Level.DEBUG, "module cache: cannot read {0}: {1}", file, e.toString());
      return Optional.empty();
    }
    Optional<byte[]> entry = unwrap(key, bytes);
    if (entry.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "module cache: {0} is damaged (its digest does not match); deleted, the module is"
              + " compiled again",
          file);
      deleteQuietly(file);
      return Optional.empty();
    }
    try {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    } catch (IOException e) {
      // A cache we may not write still serves its entries; they just age.
    }
    return entry;
  }

  /**
   * Stores {@code entry} under {@code key}, replacing any entry there, then deletes the least
   * recently used entries until all fit in {@link #maxBytes}. An entry larger than that is not
   * stored. Never throws for the file system: the first failure is one warning, and the cache is
   * read only from then on.
   */
  public void write(String key, byte[] entry) {
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    long size = (long) MAGIC.length + DIGEST_BYTES + 4 + keyBytes.length + entry.length;
    if (size > maxBytes) {
      LOG.log(
          Level.DEBUG,
          "module cache: an entry of {0} bytes is over the cache''s bound of {1}; not stored",
          size,
          maxBytes);
      return;
    }
    if (readOnly.get()) {
      return;
    }
    Path file = entryFile(key);
    Path temporary = null;
    try {
      ensureDirectory();
      // A name of its own for each writer, made for the user alone (0600 where POSIX).
      temporary = Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp");
      try (OutputStream out = Files.newOutputStream(temporary)) {
        out.write(MAGIC);
        out.write(digest(keyBytes, entry));
        out.write(ByteBuffer.allocate(4).putInt(keyBytes.length).array());
        out.write(keyBytes);
        out.write(entry);
      }
      try {
        Files.move(
            temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot rename atomically", e);
      }
      temporary = null;
      evict(file);
    } catch (IOException | UnsupportedOperationException e) {
      if (readOnly.compareAndSet(false, true)) {
        LOG.log(
            Level.WARNING,
            "module cache: cannot write in {0} ({1}); modules are compiled in memory and not"
                + " kept (set PARIGOT_CACHE to a directory of yours)",
            directory,
            reason(e));
      }
    } finally {
      if (temporary != null) {
        deleteQuietly(temporary);
      }
    }
  }

  /**
   * Deletes every entry (and any temporary file a writer left), leaving other files in the
   * directory alone.
   *
   * @return how many entries were deleted
   * @throws ParigotException if the directory or an entry cannot be deleted
   */
  public int clear() {
    int deleted = 0;
    try {
      for (Path file : files()) {
        String name = file.getFileName().toString();
        Files.deleteIfExists(file);
        if (ENTRY.matcher(name).matches()) {
          deleted++;
        }
      }
    } catch (IOException e) {
      throw new ParigotException("cannot clear the module cache in " + directory + ": " + e, e);
    }
    return deleted;
  }

  @Override
  public String toString() {
    return directory + " (at most " + (maxBytes >> 20) + " MiB)";
  }

  /** The file of the entry of {@code key}. */
  Path entryFile(String key) {
    return directory.resolve(hex(sha256(key.getBytes(StandardCharsets.UTF_8))) + SUFFIX);
  }

  /** The entry in a file's bytes, if the file is whole and was written for {@code key}. */
  private static Optional<byte[]> unwrap(String key, byte[] file) {
    byte[] expectedKey = key.getBytes(StandardCharsets.UTF_8);
    int keyAt = MAGIC.length + DIGEST_BYTES + 4;
    if (file.length < keyAt
        || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
        || ByteBuffer.wrap(file, keyAt - 4, 4).getInt() != expectedKey.length
        || file.length < keyAt + expectedKey.length
        || !Arrays.equals(
            file, keyAt, keyAt + expectedKey.length, expectedKey, 0, expectedKey.length)) {
      return Optional.empty();
    }
    byte[] entry = Arrays.copyOfRange(file, keyAt + expectedKey.length, file.length);
    byte[] stored = Arrays.copyOfRange(file, MAGIC.length, MAGIC.length + DIGEST_BYTES);
    return MessageDigest.isEqual(stored, digest(expectedKey, entry))
        ? Optional.of(entry)
        : Optional.empty();
  }

  /** Creates the directory for the user alone; refuses one that other users may write. */
  private void ensureDirectory() throws IOException {
    var posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(directory)) {
      if (posix) {
        Files.createDirectories(
            directory,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(directory);
      }
    }
    if (posix) {
      var permissions =
          Files.getFileAttributeView(directory, PosixFileAttributeView.class)
              .readAttributes()
              .permissions();
      if (permissions.stream().anyMatch(OTHERS_WRITE::contains)) {
        throw new IOException(
            "other users may write in it, and its entries become code in this JVM");
      }
    }
  }

  /** Deletes the least recently used entries, never {@code keep}, until they fit. */
  private void evict(Path keep) throws IOException {
    record Entry(Path file, long size, FileTime used) {}
    List<Entry> entries = new ArrayList<>();
    long total = 0;
    Instant abandoned = Instant.now().minus(ABANDONED);
    for (Path file : files()) {
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(file, BasicFileAttributes.class);
      } catch (NoSuchFileException e) {
        continue; // another process evicted it
      }
      if (TEMPORARY.matcher(file.getFileName().toString()).matches()) {
        if (attributes.lastModifiedTime().toInstant().isBefore(abandoned)) {
          deleteQuietly(file);
        }
        continue;
      }
      entries.add(new Entry(file, attributes.size(), attributes.lastModifiedTime()));
      total += attributes.size();
    }
    entries.sort(Comparator.comparing(Entry::used));
    for (Entry e : entries) {
      if (total <= maxBytes) {
        break;
      }
      if (!e.file().equals(keep)) {
        deleteQuietly(e.file());
        total -= e.size();
      }
    }
  }

  /** The entries and temporary files in the directory; none if it does not exist. */
  private List<Path> files() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
      for (Path file : stream) {
        String name = file.getFileName().toString();
        if (ENTRY.matcher(name).matches() || TEMPORARY.matcher(name).matches()) {
          files.add(file);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return files;
  }

  private static String reason(Exception e) {
    return switch (e) {
      case AccessDeniedException a -> "permission denied: " + a.getFile();
      case FileAlreadyExistsException f -> "not a directory: " + f.getFile();
      case FileSystemException f when f.getReason() != null -> f.getReason() + ": " + f.getFile();
      default -> e.getMessage() == null ? e.toString() : e.getMessage();
    };
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Whoever can delete it will; a stale entry is only read as damaged or evicted later.
    }
  }

  private static byte[] digest(byte[] key, byte[] entry) {
    MessageDigest sha = sha256();
    sha.update(ByteBuffer.allocate(4).putInt(key.length).array());
    sha.update(key);
    sha.update(entry);
    return sha.digest();
  }

  private static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
