package dev.parigot.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.errors.ParigotException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module cache on real files: integrity, atomic replacement, eviction, and its failures. */
class ModuleCacheTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  private final Logger engineLog = Logger.getLogger("dev.parigot.engine");
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(r);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureWarnings() {
    engineLog.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    engineLog.removeHandler(capture);
  }

  @Test
  void anEntryIsReadBackUnderItsKeyAndUnderNoOther() {
    var cache = ModuleCache.at(dir, MIB);
    cache.write("engine 1; module a", bytes("compiled a"));

    assertThat(cache.read("engine 1; module a")).hasValueSatisfying(isBytes("compiled a"));
    assertThat(cache.read("engine 2; module a")).isEmpty();
    assertThat(ModuleCache.at(dir, MIB).read("engine 1; module a")).isPresent();
  }

  @Test
  void aTruncatedEntryIsDeletedAndReadAsAbsentWithAWarning() throws IOException {
    var cache = ModuleCache.at(dir, MIB);
    cache.write("k", bytes("a compiled module of some length"));
    Path file = onlyEntry();
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, whole.length - 5));

    assertThat(cache.read("k")).isEmpty();
    assertThat(file).doesNotExist();
    assertThat(warnings).singleElement().satisfies(w -> assertThat(message(w)).contains("damaged"));
  }

  @Test
  void anEntryWithOneByteChangedIsReadAsAbsent() throws IOException {
    var cache = ModuleCache.at(dir, MIB);
    cache.write("k", bytes("a compiled module"));
    Path file = onlyEntry();
    byte[] tampered = Files.readAllBytes(file);
    tampered[tampered.length - 1] ^= 1;
    Files.write(file, tampered);

    assertThat(cache.read("k")).isEmpty();
    assertThat(file).doesNotExist();
  }

  @Test
  void anEntryCopiedUnderAnotherKeysNameIsReadAsAbsent() throws IOException {
    var cache = ModuleCache.at(dir, MIB);
    cache.write("first", bytes("one"));
    Path first = onlyEntry();
    cache.write("second", bytes("two"));
    Path second;
    try (Stream<Path> files = Files.list(dir)) {
      second = files.filter(f -> !f.equals(first)).findFirst().orElseThrow();
    }
    Files.copy(first, second, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThat(cache.read("second")).isEmpty();
    assertThat(cache.read("first")).hasValueSatisfying(isBytes("one"));
  }

  @Test
  void aFileThatIsNotAnEntryIsReadAsAbsent() throws IOException {
    var cache = ModuleCache.at(dir, MIB);
    cache.write("k", bytes("x"));
    Files.write(onlyEntry(), new byte[0]);

    assertThat(cache.read("k")).isEmpty();
  }

  @Test
  void theLeastRecentlyUsedEntriesGoFirstWhenTheCacheIsFull() throws IOException {
    byte[] tenKib = new byte[10 << 10];
    var cache = ModuleCache.at(dir, 35 << 10);
    cache.write("a", tenKib);
    age("a", cache, Duration.ofHours(3));
    cache.write("b", tenKib);
    age("b", cache, Duration.ofHours(2));
    cache.write("c", tenKib);
    age("c", cache, Duration.ofHours(1));
    // Reading a makes it the most recently used: b is now the oldest.
    assertThat(cache.read("a")).isPresent();

    cache.write("d", tenKib);

    assertThat(cache.read("b")).isEmpty();
    assertThat(cache.read("a")).isPresent();
    assertThat(cache.read("c")).isPresent();
    assertThat(cache.read("d")).isPresent();
    assertThat(warnings).isEmpty();
  }

  @Test
  void anEntryLargerThanTheBoundIsNotStoredAndEvictsNothing() {
    var cache = ModuleCache.at(dir, 4 << 10);
    cache.write("small", new byte[100]);

    cache.write("large", new byte[8 << 10]);

    assertThat(cache.read("large")).isEmpty();
    assertThat(cache.read("small")).isPresent();
  }

  @Test
  void aBoundOfZeroStoresNothing() {
    var cache = ModuleCache.at(dir, 0);
    cache.write("k", new byte[1]);

    assertThat(cache.read("k")).isEmpty();
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void writersOfOneEntryAtOnceLeaveOneWholeEntryAndReadersNeverSeeAPart() throws Exception {
    int writers = 4;
    List<byte[]> versions = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      byte[] version = new byte[256 << 10];
      Arrays.fill(version, (byte) i);
      versions.add(version);
    }
    var start = new CyclicBarrier(writers + 1);
    var writing = new AtomicBoolean(true);
    List<Optional<byte[]>> seen = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (byte[] version : versions) {
        // Each writer its own cache, as another kernel on the same directory would have.
        done.add(
            pool.submit(() -> {
              start.await();
              for (int round = 0; round < 20; round++) {
                ModuleCache.at(dir, 64 * MIB).write("shared", version);
              }
              return null;
            }));
      }
      Future<?> reader =
          pool.submit(() -> {
            var cache = ModuleCache.at(dir, 64 * MIB);
            start.await();
            while (writing.get()) {
              seen.add(cache.read("shared"));
            }
            return null;
          });
      for (Future<?> f : done) {
        f.get();
      }
      writing.set(false);
      reader.get();
    } finally {
      pool.shutdownNow();
    }

    for (Optional<byte[]> read : seen) {
      read.ifPresent(bytes -> assertThat(versions).anySatisfy(v -> assertThat(bytes).isEqualTo(v)));
    }
    byte[] last = ModuleCache.at(dir, 64 * MIB).read("shared").orElseThrow();
    assertThat(versions).anySatisfy(v -> assertThat(last).isEqualTo(v));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").hasSize(1);
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void aDirectoryThatCannotBeMadeWarnsOnceAndTheCacheGoesOnWithoutIt() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    var cache = ModuleCache.at(file.resolve("cache"), MIB);

    cache.write("a", bytes("a"));
    cache.write("b", bytes("b"));

    assertThat(cache.read("a")).isEmpty();
    assertThat(warnings)
        .singleElement()
        .satisfies(
            w -> assertThat(message(w)).contains("cannot write in " + file.resolve("cache")));
  }

  @Test
  void aDirectoryOtherUsersMayWriteIsNotWritten() throws IOException {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    var cache = ModuleCache.at(shared, MIB);

    cache.write("a", bytes("a"));

    assertThat(shared.toFile().list()).isEmpty();
    assertThat(warnings)
        .singleElement()
        .satisfies(w -> assertThat(message(w)).contains("other users may write in it"));
  }

  @Test
  void theDirectoryIsMadeForTheUserAlone() throws IOException {
    Path made = dir.resolve("a").resolve("cache");
    ModuleCache.at(made, MIB).write("k", bytes("x"));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(onlyEntry(made))))
        .isEqualTo("rw-------");
  }

  @Test
  void clearDeletesTheEntriesAndWhatDeadWritersLeftButNoOtherFile() throws IOException {
    var cache = ModuleCache.at(dir, MIB);
    cache.write("a", bytes("a"));
    cache.write("b", bytes("b"));
    Path leftover = dir.resolve("." + "0".repeat(64) + ".module.123.tmp");
    Files.writeString(leftover, "half");
    Path mine = Files.writeString(dir.resolve("notes.txt"), "keep");

    assertThat(cache.clear()).isEqualTo(2);

    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(mine);
    }
    assertThat(ModuleCache.at(dir.resolve("none"), MIB).clear()).isZero();
  }

  @Test
  void aTemporaryFileAWriterLeftLongAgoIsDeletedByTheNextWrite() throws IOException {
    Path old = dir.resolve("." + "1".repeat(64) + ".module.42.tmp");
    Path recent = dir.resolve("." + "2".repeat(64) + ".module.43.tmp");
    Files.writeString(old, "half");
    Files.writeString(recent, "being written");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(1))));

    ModuleCache.at(dir, MIB).write("k", bytes("x"));

    assertThat(old).doesNotExist();
    assertThat(recent).exists();
  }

  @Test
  void theStandardCacheIsParigotCacheElseXdgElseHome() {
    Path home = Path.of("/home/someone");

    assertThat(ModuleCache.standard(Map.of("PARIGOT_CACHE", "/c", "XDG_CACHE_HOME", "/x"), home))
        .satisfies(c -> assertThat(c.directory()).isEqualTo(Path.of("/c")))
        .satisfies(c -> assertThat(c.maxBytes()).isEqualTo(ModuleCache.DEFAULT_MAX_BYTES));
    assertThat(ModuleCache.standard(Map.of("XDG_CACHE_HOME", "/x"), home).directory())
        .isEqualTo(Path.of("/x/parigot"));
    assertThat(ModuleCache.standard(Map.of("XDG_CACHE_HOME", "relative"), home).directory())
        .as("the XDG spec ignores a relative path")
        .isEqualTo(Path.of("/home/someone/.cache/parigot"));
    assertThat(ModuleCache.standard(Map.of(), home).directory())
        .isEqualTo(Path.of("/home/someone/.cache/parigot"));
    assertThat(ModuleCache.standard(Map.of("PARIGOT_CACHE_MAX_MIB", "64"), home).maxBytes())
        .isEqualTo(64 * MIB);
  }

  @Test
  void aCacheSizeThatIsNotAWholeNumberOfMibIsRefusedNamingTheVariable() {
    for (String bad : List.of("lots", "-1", "1.5", "99999999999999999999")) {
      assertThatThrownBy(
              () -> ModuleCache.standard(Map.of("PARIGOT_CACHE_MAX_MIB", bad), Path.of("/h")))
          .isInstanceOf(ParigotException.class)
          .hasMessage(
              "PARIGOT_CACHE_MAX_MIB must be a whole number of MiB (0 stores nothing), not '"
                  + bad
                  + "'");
    }
  }

  private Path onlyEntry() throws IOException {
    return onlyEntry(dir);
  }

  private static Path onlyEntry(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.collect(java.util.stream.Collectors.toList()).getFirst();
    }
  }

  /** Makes the entry of {@code key} look last used {@code ago}. */
  private static void age(String key, ModuleCache cache, Duration ago) throws IOException {
    Files.setLastModifiedTime(cache.entryFile(key), FileTime.from(Instant.now().minus(ago)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static java.util.function.Consumer<byte[]> isBytes(String s) {
    return b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo(s);
  }

  private static String message(LogRecord r) {
    Object[] parameters = r.getParameters();
    return parameters == null
        ? r.getMessage()
        : java.text.MessageFormat.format(r.getMessage(), parameters);
  }
}
