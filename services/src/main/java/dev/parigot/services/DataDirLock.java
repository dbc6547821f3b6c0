package dev.parigot.services;

import dev.parigot.errors.InUseException;
import java.io.IOException;
import java.lang.System.Logger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The data directory of one kernel's services, created and locked when they first need it: a second
 * kernel (in this JVM or another) is refused at once, naming the holder's pid. The lock is the
 * operating system's lock on {@value #FILE}, which dies with the process holding it, so a crashed
 * kernel leaves nothing locked; the file itself stays, holding the last holder's pid.
 */
final class DataDirLock {
  private static final Logger LOG = System.getLogger("dev.parigot.services");

  /** The lock file in the data directory. */
  static final String FILE = "kernel.lock";

  // The directories locked in this JVM, by their real path.
  private static final ConcurrentMap<Path, DataDirLock> HELD = new ConcurrentHashMap<>();

  private final Path dir;
  // Guarded by this.
  private Path held;
  private FileChannel channel;
  private FileLock lock;

  DataDirLock(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates the directory if needed and locks it for this kernel; does nothing once locked.
   *
   * @throws InUseException if another kernel holds it
   * @throws IOException if the directory or the lock file cannot be made
   */
  synchronized void acquire() throws IOException {
    if (lock != null) {
      return;
    }
    Files.createDirectories(dir);
    Path real = dir.toRealPath();
    // Closing any channel of a file drops this JVM's OS lock on it: a second kernel of this JVM
    // must not even open the file.
    if (HELD.putIfAbsent(real, this) != null) {
      throw inUse("pid " + ProcessHandle.current().pid() + ", this process");
    }
    FileChannel opened;
    FileLock taken;
    try {
      opened =
          FileChannel.open(
              real.resolve(FILE),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      try {
        taken = opened.tryLock();
      } catch (OverlappingFileLockException e) {
        // Locked in this JVM by other means than a kernel's.
        taken = null;
      } catch (IOException | RuntimeException e) {
        opened.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      HELD.remove(real, this);
      throw e;
    }
    if (taken == null) {
      String holder = holder(opened);
      opened.close();
      HELD.remove(real, this);
      throw inUse(holder);
    }
    held = real;
    try {
      opened.truncate(0);
      opened.write(
          ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
          0);
      opened.force(false);
    } catch (IOException e) {
      opened.close();
      HELD.remove(real, this);
      throw e;
    }
    channel = opened;
    lock = taken;
  }

  private InUseException inUse(String holder) {
    return new InUseException(
        "the data directory "
            + dir
            + " is in use by another kernel ("
            + holder
            + "); a data directory belongs to one kernel at a time: stop that one, or give this"
            + " one another with --data-dir");
  }

  /** Who holds the lock, as its file says. */
  private static String holder(FileChannel file) {
    try {
      ByteBuffer buf = ByteBuffer.allocate(32);
      file.read(buf, 0);
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
      // The holder writes its pid just after it locks: a reader may come in between.
      return text.matches("[0-9]{1,19}") ? "pid " + text : "pid not yet written";
    } catch (IOException e) {
      return "pid unreadable: " + e.getMessage();
    }
  }

  /** Releases the lock if this holds it; the file stays. Idempotent. */
  synchronized void release() {
    if (channel == null) {
      return;
    }
    try {
      // Closing the channel releases its lock.
      channel.close();
    } catch (IOException e) {
      LOG.log(Logger.Level.WARNING, "releasing the lock of " + dir + " failed", e);
    }
    HELD.remove(held, this);
    channel = null;
    lock = null;
  }
}
