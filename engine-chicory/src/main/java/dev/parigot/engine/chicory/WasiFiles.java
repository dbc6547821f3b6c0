package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import dev.parigot.engine.spi.GuestIo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A guest's WASI descriptors: its standard streams and the directories it was given, with the WASI
 * preview1 functions on descriptors ({@code fd_*}) and paths ({@code path_*}). These replace the
 * engine's own, which follow symbolic links and check paths as text only.
 *
 * <p>Confinement is the file service's: each directory is held by a handle opened when the guest
 * starts, and every path is walked from it one segment at a time, each directory opened relative to
 * the one before without following a link ({@link SecureDirectoryStream}, {@code openat} with
 * {@code O_NOFOLLOW} on Linux). A path is never looked up as a whole, so no check can be raced. An
 * absolute path, a {@code ..} that would climb above the granted directory, and a symbolic link met
 * anywhere are refused with {@code ENOTCAPABLE}; guests cannot make links. A {@code ..} inside is
 * resolved by name before the walk, which is exact since no link is ever followed. Java has no
 * {@code mkdirat}: a directory is made in a staging directory beside the granted one (outside it)
 * and moved into place relative to the handles ({@code renameat}).
 *
 * <p>Used by its guest's thread only.
 */
final class WasiFiles implements AutoCloseable {
  // WASI errno values.
  static final int SUCCESS = 0;
  static final int EACCES = 2;
  static final int EBADF = 8;
  static final int EBUSY = 10;
  static final int EEXIST = 20;
  static final int EFBIG = 22;
  static final int EMFILE = 24;
  static final int EILSEQ = 25;
  static final int EINVAL = 28;
  static final int EIO = 29;
  static final int EISDIR = 31;
  static final int ENAMETOOLONG = 37;
  static final int ENOENT = 44;
  static final int ENOSPC = 51;
  static final int ENOTDIR = 54;
  static final int ENOTEMPTY = 55;
  static final int ENOTSUP = 58;
  static final int EROFS = 69;
  static final int ESPIPE = 70;
  static final int EXDEV = 75;
  static final int ENOTCAPABLE = 76;

  // File types.
  private static final byte UNKNOWN = 0;
  private static final byte CHARACTER_DEVICE = 2;
  private static final byte DIRECTORY = 3;
  private static final byte REGULAR_FILE = 4;
  private static final byte SYMBOLIC_LINK = 7;

  // Rights.
  private static final long FD_DATASYNC = 1L;
  private static final long FD_READ = 1L << 1;
  private static final long FD_SEEK = 1L << 2;
  private static final long FD_FDSTAT_SET_FLAGS = 1L << 3;
  private static final long FD_SYNC = 1L << 4;
  private static final long FD_TELL = 1L << 5;
  private static final long FD_WRITE = 1L << 6;
  private static final long FD_ADVISE = 1L << 7;
  private static final long FD_ALLOCATE = 1L << 8;
  private static final long FD_READDIR = 1L << 14;
  private static final long FD_FILESTAT_GET = 1L << 21;
  private static final long FD_FILESTAT_SET_SIZE = 1L << 22;
  private static final long FD_FILESTAT_SET_TIMES = 1L << 23;
  private static final long POLL_FD_READWRITE = 1L << 27;
  private static final long WRITES = FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE | FD_DATASYNC;
  private static final long FILE_RIGHTS =
      FD_DATASYNC
          | FD_READ
          | FD_SEEK
          | FD_FDSTAT_SET_FLAGS
          | FD_SYNC
          | FD_TELL
          | FD_WRITE
          | FD_ADVISE
          | FD_ALLOCATE
          | FD_FILESTAT_GET
          | FD_FILESTAT_SET_SIZE
          | FD_FILESTAT_SET_TIMES
          | POLL_FD_READWRITE;
  // Every path right (create, open, readdir, rename, stat, unlink, ...), none of links.
  private static final long DIR_RIGHTS =
      (1L << 9)
          | (1L << 10)
          | (1L << 13)
          | FD_READDIR
          | (1L << 15)
          | (1L << 16)
          | (1L << 17)
          | (1L << 18)
          | (1L << 19)
          | (1L << 20)
          | FD_FILESTAT_GET
          | FD_FILESTAT_SET_TIMES
          | (1L << 25)
          | (1L << 26);
  private static final long STREAM_RIGHTS =
      FD_READ | FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;

  // Open flags, fd flags, lookup-independent time flags, whence.
  private static final int O_CREAT = 1;
  private static final int O_DIRECTORY = 2;
  private static final int O_EXCL = 4;
  private static final int O_TRUNC = 8;
  private static final int FDFLAG_APPEND = 1;
  private static final int ATIM = 1;
  private static final int ATIM_NOW = 2;
  private static final int MTIM = 4;
  private static final int MTIM_NOW = 8;

  static final int MAX_PATH = 4096;
  static final int MAX_SEGMENT = 255;
  static final int MAX_DEPTH = 64;
  static final int MAX_FDS = 1024;
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final Path SELF = Path.of(".");
  private static final String STAGING = ".parigot-mkdir";
  private static final TimeUnit NANOS = TimeUnit.NANOSECONDS;

  /** A WASI error: the errno the function returns. */
  private static final class Errno extends Exception {
    final int code;

    Errno(int code) {
      super(null, null, false, false);
      this.code = code;
    }
  }

  /** A granted directory, held open while the guest runs. */
  private static final class Root {
    final String guestPath;
    final Path real;
    final boolean readOnly;
    final SecureDirectoryStream<Path> handle;
    // Made at the first mkdir: guests that make no directory leave nothing beside the grant.
    Path stagingPath;
    SecureDirectoryStream<Path> staging;

    Root(String guestPath, Path real, boolean readOnly, SecureDirectoryStream<Path> handle) {
      this.guestPath = guestPath;
      this.real = real;
      this.readOnly = readOnly;
      this.handle = handle;
    }
  }

  private sealed interface Fd permits In, Out, Dir, OpenFile {}

  private record In(InputStream in) implements Fd {}

  /** An output stream; {@code owned} if closing the descriptors closes it (flushes its lines). */
  private record Out(OutputStream out, boolean owned) implements Fd {}

  /**
   * A directory: a granted one ({@code preopen}) or one the guest opened, named by its segments
   * under its root. Its listing is kept from a readdir at cookie 0 to the next.
   */
  private static final class Dir implements Fd {
    final Root root;
    final List<String> segments;
    final boolean preopen;
    List<String> listing = List.of();

    Dir(Root root, List<String> segments, boolean preopen) {
      this.root = root;
      this.segments = List.copyOf(segments);
      this.preopen = preopen;
    }
  }

  private static final class OpenFile implements Fd {
    final Root root;
    final List<String> segments;
    final FileChannel channel;
    final boolean readable;
    final boolean writable;
    boolean append;
    long position;

    OpenFile(
        Root root, List<String> segments, FileChannel channel, boolean readable, boolean writable) {
      this.root = root;
      this.segments = List.copyOf(segments);
      this.channel = channel;
      this.readable = readable;
      this.writable = writable;
    }
  }

  /**
   * A path walked to its last segment: the handle of its parent (null if a parent is missing), the
   * last name (null for the root itself) and what is there (null if nothing).
   */
  private record Target(
      Root root,
      List<String> segments,
      SecureDirectoryStream<Path> parent,
      Path name,
      BasicFileAttributes attributes,
      boolean owned,
      boolean trailingSlash)
      implements AutoCloseable {
    boolean exists() {
      return attributes != null;
    }

    boolean isRoot() {
      return name == null;
    }

    @Override
    public void close() {
      if (owned) {
        closeQuietly(parent);
      }
    }
  }

  private final Map<Integer, Fd> fds = new HashMap<>();
  private final List<Root> roots = new ArrayList<>();

  /**
   * Opens the granted directories.
   *
   * @throws IOException if one cannot be opened, or the platform has no directory handles that open
   *     relative to themselves without following links (then no directory is granted)
   */
  WasiFiles(GuestIo io, OutputStream lines, OutputStream errorLines) throws IOException {
    fds.put(0, new In(io.stdin().orElse(InputStream.nullInputStream())));
    fds.put(1, new Out(io.stdout().orElse(lines), io.stdout().isEmpty()));
    fds.put(2, new Out(io.stderr().orElse(errorLines), io.stderr().isEmpty()));
    try {
      for (GuestIo.Dir d : io.dirs()) {
        Path real = d.host().toRealPath();
        var root = new Root(d.guestPath(), real, d.readOnly(), secure(real));
        roots.add(root);
        fds.put(fds.size(), new Dir(root, List.of(), true));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private static SecureDirectoryStream<Path> secure(Path dir) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
    if (stream instanceof SecureDirectoryStream<Path> s) {
      return s;
    }
    stream.close();
    throw new IOException(
        "WASI directories need directory handles that open files relative to a directory without"
            + " following links (java.nio.file.SecureDirectoryStream), which Java does not offer"
            + " on this platform; "
            + dir
            + " is not granted");
  }

  /**
   * Closes every descriptor and directory handle. The line streams are closed, which passes on an
   * unfinished last line; raw streams, the kernel's, are only flushed.
   */
  @Override
  public void close() {
    for (Fd fd : fds.values()) {
      if (fd instanceof OpenFile f) {
        closeQuietly(f.channel);
      } else if (fd instanceof Out o) {
        try {
          if (o.owned()) {
            o.out().close();
          } else {
            o.out().flush();
          }
        } catch (IOException e) {
          // Where the output went is gone: nothing to tell it.
        }
      }
    }
    fds.clear();
    for (Root r : roots) {
      closeQuietly(r.handle);
      if (r.staging != null) {
        closeQuietly(r.staging);
        try {
          Files.deleteIfExists(r.stagingPath);
        } catch (IOException e) {
          // Not empty (a kernel stopped mid-mkdir): harmless, and reused next time.
        }
      }
    }
    roots.clear();
  }

  /** The WASI functions this class implements, by name. */
  Map<String, WasmFunctionHandle> functions() {
    Map<String, WasmFunctionHandle> f = new HashMap<>();
    f.put("fd_prestat_get", call(a -> prestatGet(m(a), i(a, 0), i(a, 1))));
    f.put("fd_prestat_dir_name", call(a -> prestatDirName(m(a), i(a, 0), i(a, 1), i(a, 2))));
    f.put("fd_fdstat_get", call(a -> fdstatGet(m(a), i(a, 0), i(a, 1))));
    f.put("fd_fdstat_set_flags", call(a -> fdstatSetFlags(i(a, 0), i(a, 1))));
    f.put("fd_fdstat_set_rights", call(a -> fd(i(a, 0)) == null ? EBADF : ENOTSUP));
    f.put("fd_close", call(a -> close(i(a, 0))));
    f.put("fd_renumber", call(a -> renumber(i(a, 0), i(a, 1))));
    f.put("fd_read", call(a -> read(m(a), i(a, 0), i(a, 1), i(a, 2), -1, i(a, 3))));
    f.put("fd_pread", call(a -> read(m(a), i(a, 0), i(a, 1), i(a, 2), offset(a, 3), i(a, 4))));
    f.put("fd_write", call(a -> write(m(a), i(a, 0), i(a, 1), i(a, 2), -1, i(a, 3))));
    f.put("fd_pwrite", call(a -> write(m(a), i(a, 0), i(a, 1), i(a, 2), offset(a, 3), i(a, 4))));
    f.put("fd_seek", call(a -> seek(m(a), i(a, 0), a.args[1], i(a, 2), i(a, 3))));
    f.put("fd_tell", call(a -> seek(m(a), i(a, 0), 0, 1, i(a, 1))));
    f.put("fd_sync", call(a -> sync(i(a, 0))));
    f.put("fd_datasync", call(a -> sync(i(a, 0))));
    f.put("fd_advise", call(a -> file(i(a, 0)) == null ? EBADF : SUCCESS));
    f.put("fd_allocate", call(a -> allocate(i(a, 0), a.args[1], a.args[2])));
    f.put("fd_filestat_get", call(a -> fdFilestat(m(a), i(a, 0), i(a, 1))));
    f.put("fd_filestat_set_size", call(a -> setSize(i(a, 0), a.args[1])));
    f.put("fd_filestat_set_times", call(a -> fdSetTimes(i(a, 0), a.args[1], a.args[2], i(a, 3))));
    f.put("fd_readdir", call(a -> readdir(m(a), i(a, 0), i(a, 1), i(a, 2), a.args[3], i(a, 4))));
    f.put(
        "path_open",
        call(a ->
            open(
                m(a),
                i(a, 0),
                path(m(a), i(a, 2), i(a, 3)),
                i(a, 4),
                a.args[5],
                i(a, 7),
                i(a, 8))));
    f.put(
        "path_filestat_get",
        call(a -> pathFilestat(m(a), i(a, 0), path(m(a), i(a, 2), i(a, 3)), i(a, 4))));
    f.put(
        "path_filestat_set_times",
        call(a ->
            pathSetTimes(i(a, 0), path(m(a), i(a, 2), i(a, 3)), a.args[4], a.args[5], i(a, 6))));
    f.put("path_create_directory", call(a -> mkdir(i(a, 0), path(m(a), i(a, 1), i(a, 2)))));
    f.put("path_remove_directory", call(a -> remove(i(a, 0), path(m(a), i(a, 1), i(a, 2)), true)));
    f.put("path_unlink_file", call(a -> remove(i(a, 0), path(m(a), i(a, 1), i(a, 2)), false)));
    f.put(
        "path_rename",
        call(a ->
            rename(i(a, 0), path(m(a), i(a, 1), i(a, 2)), i(a, 3), path(m(a), i(a, 4), i(a, 5)))));
    f.put("path_readlink", call(a -> readlink(i(a, 0), path(m(a), i(a, 1), i(a, 2)))));
    f.put("path_symlink", call(a -> noLinks(i(a, 2))));
    f.put("path_link", call(a -> noLinks(i(a, 4))));
    return Map.copyOf(f);
  }

  // ---- Calling convention ----

  private record Args(Instance instance, long[] args) {}

  @FunctionalInterface
  private interface Body {
    int run(Args a) throws Errno, IOException;
  }

  private static WasmFunctionHandle call(Body body) {
    return (instance, args) -> {
      int result;
      try {
        result = body.run(new Args(instance, args));
      } catch (Errno e) {
        result = e.code;
      } catch (IOException e) {
        result = errno(e);
      }
      return new long[] {result};
    };
  }

  private static Memory m(Args a) {
    return a.instance().memory();
  }

  private static int i(Args a, int n) {
    return (int) a.args()[n];
  }

  private static long offset(Args a, int n) throws Errno {
    long o = a.args()[n];
    if (o < 0) {
      throw new Errno(EINVAL);
    }
    return o;
  }

  /** The errno for an IO failure of the host. */
  private static int errno(IOException e) {
    return switch (e) {
      case NoSuchFileException _ -> ENOENT;
      case FileAlreadyExistsException _ -> EEXIST;
      case DirectoryNotEmptyException _ -> ENOTEMPTY;
      case NotDirectoryException _ -> ENOTDIR;
      case AccessDeniedException _ -> EACCES;
      case FileSystemException f when reason(f).contains("symbolic link") -> ENOTCAPABLE;
      case FileSystemException f when reason(f).contains("Is a directory") -> EISDIR;
      case FileSystemException f when reason(f).contains("Not a directory") -> ENOTDIR;
      case FileSystemException f when reason(f).contains("not empty") -> ENOTEMPTY;
      case FileSystemException f when reason(f).contains("No space") -> ENOSPC;
      case FileSystemException f when reason(f).contains("Read-only") -> EROFS;
      case FileSystemException f when reason(f).contains("cross-device") -> EXDEV;
      default -> EIO;
    };
  }

  private static String reason(FileSystemException e) {
    return e.getReason() == null ? "" : e.getReason();
  }

  /** A path argument: UTF-8 without NUL, at most {@link #MAX_PATH} bytes. */
  private static String path(Memory memory, int ptr, int len) throws Errno {
    if (len < 0 || len > MAX_PATH) {
      throw new Errno(ENAMETOOLONG);
    }
    byte[] bytes = memory.readBytes(ptr, len);
    for (byte b : bytes) {
      if (b == 0) {
        throw new Errno(EINVAL);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Errno(EILSEQ);
    }
  }

  // ---- Descriptors ----

  private Fd fd(int fd) {
    return fds.get(fd);
  }

  private OpenFile file(int fd) {
    return fd(fd) instanceof OpenFile f ? f : null;
  }

  private Dir dir(int fd) throws Errno {
    Fd d = fd(fd);
    if (d == null) {
      throw new Errno(EBADF);
    }
    if (!(d instanceof Dir dir)) {
      throw new Errno(ENOTDIR);
    }
    return dir;
  }

  private OpenFile requireFile(int fd) throws Errno {
    Fd d = fd(fd);
    if (d == null) {
      throw new Errno(EBADF);
    }
    if (d instanceof Dir) {
      throw new Errno(EISDIR);
    }
    if (!(d instanceof OpenFile f)) {
      throw new Errno(ESPIPE);
    }
    return f;
  }

  private int add(Fd d) throws Errno {
    for (int n = 0; n < MAX_FDS; n++) {
      if (!fds.containsKey(n)) {
        fds.put(n, d);
        return n;
      }
    }
    throw new Errno(EMFILE);
  }

  private int prestatGet(Memory memory, int fd, int buf) throws Errno {
    if (!(fd(fd) instanceof Dir d) || !d.preopen) {
      throw new Errno(EBADF);
    }
    memory.writeI32(buf, 0);
    memory.writeI32(buf + 4, utf8(d.root.guestPath).length);
    return SUCCESS;
  }

  private int prestatDirName(Memory memory, int fd, int ptr, int len) throws Errno {
    if (!(fd(fd) instanceof Dir d) || !d.preopen) {
      throw new Errno(EBADF);
    }
    byte[] name = utf8(d.root.guestPath);
    if (len < name.length) {
      throw new Errno(ENAMETOOLONG);
    }
    memory.write(ptr, name);
    return SUCCESS;
  }

  private int fdstatGet(Memory memory, int fd, int buf) throws Errno {
    Fd d = fd(fd);
    byte type;
    int flags = 0;
    long base;
    long inheriting = 0;
    switch (d) {
      case null -> throw new Errno(EBADF);
      case In _, Out _ -> {
        type = CHARACTER_DEVICE;
        base = STREAM_RIGHTS;
      }
      case Dir _ -> {
        type = DIRECTORY;
        base = DIR_RIGHTS;
        inheriting = DIR_RIGHTS | FILE_RIGHTS;
      }
      case OpenFile f -> {
        type = REGULAR_FILE;
        flags = f.append ? FDFLAG_APPEND : 0;
        base = FILE_RIGHTS;
        if (!f.writable) {
          base &= ~WRITES;
        }
        if (!f.readable) {
          base &= ~FD_READ;
        }
      }
    }
    memory.write(buf, new byte[24]);
    memory.writeByte(buf, type);
    memory.writeShort(buf + 2, (short) flags);
    memory.writeLong(buf + 8, base);
    memory.writeLong(buf + 16, inheriting);
    return SUCCESS;
  }

  private int fdstatSetFlags(int fd, int flags) throws Errno {
    Fd d = fd(fd);
    if (d == null) {
      throw new Errno(EBADF);
    }
    if (d instanceof OpenFile f && (flags & ~FDFLAG_APPEND) == 0) {
      f.append = (flags & FDFLAG_APPEND) != 0;
      return SUCCESS;
    }
    return flags == 0 ? SUCCESS : ENOTSUP;
  }

  private int close(int fd) throws Errno {
    Fd d = fds.remove(fd);
    if (d == null) {
      throw new Errno(EBADF);
    }
    if (d instanceof OpenFile f) {
      closeQuietly(f.channel);
    }
    return SUCCESS;
  }

  private int renumber(int from, int to) throws Errno {
    Fd d = fd(from);
    if (d == null || fd(to) == null) {
      throw new Errno(EBADF);
    }
    if (from != to) {
      close(to);
      fds.put(to, fds.remove(from));
    }
    return SUCCESS;
  }

  // ---- Reading and writing ----

  /** Reads into the iovecs at {@code iovs}: from {@code at}, or the file's position if negative. */
  private int read(Memory memory, int fd, int iovs, int count, long at, int nread)
      throws Errno, IOException {
    Fd d = fd(fd);
    long total = 0;
    switch (d) {
      case null -> throw new Errno(EBADF);
      case In in -> {
        if (at >= 0) {
          throw new Errno(ESPIPE);
        }
        // One read: a stream gives what it has, and a later call waits for more.
        int len = iovLength(memory, iovs, count, 1 << 16);
        byte[] buf = new byte[len];
        int n = len == 0 ? 0 : in.in().read(buf);
        total = Math.max(0, n);
        scatter(memory, iovs, count, buf, (int) total);
      }
      case OpenFile f -> {
        if (!f.readable) {
          throw new Errno(EBADF);
        }
        long position = at >= 0 ? at : f.position;
        for (int i = 0; i < count; i++) {
          int ptr = memory.readInt(iovs + i * 8);
          int len = memory.readInt(iovs + i * 8 + 4);
          byte[] buf = new byte[Math.min(len, 1 << 20)];
          int n = f.channel.read(ByteBuffer.wrap(buf), position + total);
          if (n <= 0) {
            break;
          }
          memory.write(ptr, buf, 0, n);
          total += n;
          if (n < len) {
            break;
          }
        }
        if (at < 0) {
          f.position += total;
        }
      }
      case Dir _ -> throw new Errno(EISDIR);
      case Out _ -> throw new Errno(EBADF);
    }
    memory.writeI32(nread, (int) total);
    return SUCCESS;
  }

  private static int iovLength(Memory memory, int iovs, int count, int cap) {
    long sum = 0;
    for (int i = 0; i < count && sum < cap; i++) {
      sum += Integer.toUnsignedLong(memory.readInt(iovs + i * 8 + 4));
    }
    return (int) Math.min(sum, cap);
  }

  private static void scatter(Memory memory, int iovs, int count, byte[] buf, int n) {
    int done = 0;
    for (int i = 0; i < count && done < n; i++) {
      int ptr = memory.readInt(iovs + i * 8);
      int len = Math.min(memory.readInt(iovs + i * 8 + 4), n - done);
      memory.write(ptr, buf, done, len);
      done += len;
    }
  }

  private int write(Memory memory, int fd, int iovs, int count, long at, int nwritten)
      throws Errno, IOException {
    Fd d = fd(fd);
    long total = 0;
    switch (d) {
      case null -> throw new Errno(EBADF);
      case Out o -> {
        if (at >= 0) {
          throw new Errno(ESPIPE);
        }
        // One write whole, as write(2), though other processes write to the same raw stream.
        synchronized (o.out()) {
          for (int i = 0; i < count; i++) {
            int len = memory.readInt(iovs + i * 8 + 4);
            o.out().write(memory.readBytes(memory.readInt(iovs + i * 8), len));
            total += len;
          }
          o.out().flush();
        }
      }
      case OpenFile f -> {
        if (!f.writable) {
          throw new Errno(EBADF);
        }
        long position = at >= 0 ? at : f.append ? f.channel.size() : f.position;
        for (int i = 0; i < count; i++) {
          int len = memory.readInt(iovs + i * 8 + 4);
          var buf = ByteBuffer.wrap(memory.readBytes(memory.readInt(iovs + i * 8), len));
          while (buf.hasRemaining()) {
            total += f.channel.write(buf, position + total);
          }
        }
        if (at < 0) {
          f.position = position + total;
        }
      }
      case Dir _ -> throw new Errno(EISDIR);
      case In _ -> throw new Errno(EBADF);
    }
    memory.writeI32(nwritten, (int) total);
    return SUCCESS;
  }

  private int seek(Memory memory, int fd, long offset, int whence, int newOffset)
      throws Errno, IOException {
    OpenFile f = requireFile(fd);
    long base =
        switch (whence) {
          case 0 -> 0;
          case 1 -> f.position;
          case 2 -> f.channel.size();
          default -> throw new Errno(EINVAL);
        };
    long to = base + offset;
    if (to < 0) {
      throw new Errno(EINVAL);
    }
    f.position = to;
    memory.writeLong(newOffset, to);
    return SUCCESS;
  }

  private int sync(int fd) throws Errno, IOException {
    OpenFile f = requireFile(fd);
    if (f.writable) {
      f.channel.force(true);
    }
    return SUCCESS;
  }

  private int allocate(int fd, long offset, long len) throws Errno, IOException {
    OpenFile f = requireFile(fd);
    if (offset < 0 || len <= 0 || offset + len < 0) {
      throw new Errno(EINVAL);
    }
    if (!f.writable) {
      throw new Errno(EBADF);
    }
    grow(f, offset + len);
    return SUCCESS;
  }

  private int setSize(int fd, long size) throws Errno, IOException {
    OpenFile f = requireFile(fd);
    if (size < 0) {
      throw new Errno(EINVAL);
    }
    if (!f.writable) {
      throw new Errno(EBADF);
    }
    if (size < f.channel.size()) {
      f.channel.truncate(size);
    } else {
      grow(f, size);
    }
    return SUCCESS;
  }

  /** Grows a file to {@code size} with zeros; FileChannel.truncate only shrinks. */
  private static void grow(OpenFile f, long size) throws IOException {
    if (size > f.channel.size()) {
      f.channel.write(ByteBuffer.allocate(1), size - 1);
    }
  }

  // ---- Metadata ----

  private int fdFilestat(Memory memory, int fd, int buf) throws Errno, IOException {
    switch (fd(fd)) {
      case null -> throw new Errno(EBADF);
      case In _, Out _ -> writeStat(memory, buf, CHARACTER_DEVICE, 0, 0, null);
      case Dir d -> {
        try (Target t = walk(d.root, d.segments, "", false)) {
          writeStat(memory, buf, t.attributes());
        }
      }
      case OpenFile f -> {
        // The size from the open file; the rest from its path, if it is still there.
        long size = f.channel.size();
        BasicFileAttributes a = null;
        try (Target t = walk(f.root, f.segments, "", false)) {
          a = t.attributes();
        } catch (Errno e) {
          // Moved away meanwhile: what the open file knows is all there is.
        }
        writeStat(memory, buf, REGULAR_FILE, size, 1, a);
      }
    }
    return SUCCESS;
  }

  private int pathFilestat(Memory memory, int fd, String path, int buf) throws Errno, IOException {
    Dir d = dir(fd);
    try (Target t = walk(d.root, d.segments, path, false)) {
      requireExists(t);
      writeStat(memory, buf, t.attributes());
    }
    return SUCCESS;
  }

  private static void writeStat(Memory memory, int buf, BasicFileAttributes a) {
    long size = a.isRegularFile() ? a.size() : 0;
    writeStat(memory, buf, type(a), size, 1, a);
  }

  private static void writeStat(
      Memory memory, int buf, byte type, long size, long links, BasicFileAttributes a) {
    memory.write(buf, new byte[64]);
    long ino = a == null || a.fileKey() == null ? 0 : a.fileKey().hashCode() & 0xffffffffL;
    memory.writeLong(buf + 8, ino);
    memory.writeByte(buf + 16, type);
    memory.writeLong(buf + 24, links);
    memory.writeLong(buf + 32, size);
    if (a != null) {
      memory.writeLong(buf + 40, nanos(a.lastAccessTime()));
      memory.writeLong(buf + 48, nanos(a.lastModifiedTime()));
      memory.writeLong(buf + 56, nanos(a.lastModifiedTime()));
    }
  }

  private static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }

  private static byte type(BasicFileAttributes a) {
    if (a.isSymbolicLink()) {
      return SYMBOLIC_LINK;
    }
    if (a.isDirectory()) {
      return DIRECTORY;
    }
    return a.isRegularFile() ? REGULAR_FILE : UNKNOWN;
  }

  private int fdSetTimes(int fd, long atim, long mtim, int flags) throws Errno, IOException {
    switch (fd(fd)) {
      case null -> throw new Errno(EBADF);
      case Dir d -> {
        return setTimes(d.root, d.segments, "", atim, mtim, flags);
      }
      case OpenFile f -> {
        return setTimes(f.root, f.segments, "", atim, mtim, flags);
      }
      default -> throw new Errno(ENOTSUP);
    }
  }

  private int pathSetTimes(int fd, String path, long atim, long mtim, int flags)
      throws Errno, IOException {
    Dir d = dir(fd);
    return setTimes(d.root, d.segments, path, atim, mtim, flags);
  }

  private int setTimes(Root root, List<String> base, String path, long atim, long mtim, int flags)
      throws Errno, IOException {
    if ((flags & ATIM) != 0 && (flags & ATIM_NOW) != 0
        || (flags & MTIM) != 0 && (flags & MTIM_NOW) != 0) {
      throw new Errno(EINVAL);
    }
    writable(root);
    FileTime now = FileTime.fromMillis(System.currentTimeMillis());
    FileTime access =
        (flags & ATIM_NOW) != 0 ? now : (flags & ATIM) != 0 ? FileTime.from(atim, NANOS) : null;
    FileTime modified =
        (flags & MTIM_NOW) != 0 ? now : (flags & MTIM) != 0 ? FileTime.from(mtim, NANOS) : null;
    try (Target t = walk(root, base, path, false)) {
      requireExists(t);
      var view =
          t.isRoot()
              ? root.handle.getFileAttributeView(BasicFileAttributeView.class)
              : t.parent().getFileAttributeView(t.name(), BasicFileAttributeView.class, NOFOLLOW);
      view.setTimes(modified, access, null);
    }
    return SUCCESS;
  }

  private int readdir(Memory memory, int fd, int buf, int len, long cookie, int bufused)
      throws Errno, IOException {
    Dir d = dir(fd);
    if (cookie < 0) {
      throw new Errno(EINVAL);
    }
    if (cookie == 0) {
      d.listing = list(d);
    }
    // Entries are written whole but the last, which may be cut: the caller asks again with more.
    byte[] out = new byte[Math.max(0, len)];
    int used = 0;
    try (Target t = walk(d.root, d.segments, "", false)) {
      SecureDirectoryStream<Path> self = directory(t);
      try (self) {
        for (long i = cookie; i < d.listing.size() && used < len; i++) {
          String name = d.listing.get((int) i);
          BasicFileAttributes a = stat(self, Path.of(name));
          byte[] n = utf8(name);
          ByteBuffer e = ByteBuffer.allocate(24 + n.length).order(ByteOrder.LITTLE_ENDIAN);
          e.putLong(i + 1);
          e.putLong(a == null || a.fileKey() == null ? 0 : a.fileKey().hashCode() & 0xffffffffL);
          e.putInt(n.length);
          e.put(a == null ? UNKNOWN : type(a));
          e.position(24);
          e.put(n);
          int k = Math.min(e.capacity(), len - used);
          System.arraycopy(e.array(), 0, out, used, k);
          used += k;
        }
      }
    }
    memory.write(buf, out, 0, used);
    memory.writeI32(bufused, used);
    return SUCCESS;
  }

  /** A directory's names, in byte order so that listings are the same on every host. */
  private List<String> list(Dir d) throws Errno, IOException {
    var names = new ArrayList<String>();
    try (Target t = walk(d.root, d.segments, "", false);
        SecureDirectoryStream<Path> self = directory(t)) {
      for (Path p : self) {
        if (names.size() == 1 << 20) {
          throw new Errno(EFBIG);
        }
        names.add(p.getFileName().toString());
      }
    }
    names.sort((a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b)));
    return List.copyOf(names);
  }

  /** A new handle on the directory {@code t} names. */
  private static SecureDirectoryStream<Path> directory(Target t) throws Errno, IOException {
    requireExists(t);
    if (!t.attributes().isDirectory()) {
      throw new Errno(ENOTDIR);
    }
    return t.isRoot()
        ? t.root().handle.newDirectoryStream(SELF, NOFOLLOW)
        : openDirectory(t.parent(), t.name());
  }

  // ---- Paths ----

  private int open(
      Memory memory, int dirFd, String path, int oflags, long rights, int fdflags, int result)
      throws Errno, IOException {
    Dir d = dir(dirFd);
    boolean wantsWrite = (rights & WRITES) != 0 || (oflags & (O_CREAT | O_TRUNC)) != 0;
    if (wantsWrite || (fdflags & FDFLAG_APPEND) != 0) {
      writable(d.root);
    }
    try (Target t = walk(d.root, d.segments, path, false)) {
      if (t.exists() && t.attributes().isDirectory()) {
        if ((oflags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
          throw new Errno(EEXIST);
        }
        if (wantsWrite) {
          throw new Errno(EISDIR);
        }
        return opened(memory, result, new Dir(d.root, t.segments(), false));
      }
      if ((oflags & O_DIRECTORY) != 0) {
        throw new Errno(t.exists() ? ENOTDIR : ENOENT);
      }
      if (t.trailingSlash()) {
        throw new Errno(t.exists() ? ENOTDIR : ENOENT);
      }
      if (t.parent() == null) {
        throw new Errno(ENOENT);
      }
      if (t.exists() && (oflags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
        throw new Errno(EEXIST);
      }
      if (!t.exists() && (oflags & O_CREAT) == 0) {
        throw new Errno(ENOENT);
      }
      if (t.exists() && !t.attributes().isRegularFile()) {
        throw new Errno(EACCES);
      }
      boolean writable = (rights & WRITES) != 0 || (oflags & O_TRUNC) != 0;
      Set<OpenOption> options = new HashSet<>();
      options.add(NOFOLLOW);
      options.add(StandardOpenOption.READ);
      if (writable) {
        options.add(StandardOpenOption.WRITE);
      }
      if ((oflags & O_CREAT) != 0) {
        options.add(
            (oflags & O_EXCL) != 0 ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
      }
      if ((oflags & O_TRUNC) != 0) {
        options.add(StandardOpenOption.TRUNCATE_EXISTING);
      }
      SeekableByteChannel channel;
      try {
        channel = t.parent().newByteChannel(t.name(), options);
      } catch (FileSystemException e) {
        throw linkOr(t.parent(), t.name(), e);
      }
      if (!(channel instanceof FileChannel file)) {
        channel.close();
        throw new Errno(ENOTSUP);
      }
      var f = new OpenFile(d.root, t.segments(), file, true, writable);
      f.append = (fdflags & FDFLAG_APPEND) != 0;
      try {
        return opened(memory, result, f);
      } catch (Errno e) {
        closeQuietly(file);
        throw e;
      }
    }
  }

  private int opened(Memory memory, int result, Fd d) throws Errno {
    int fd = add(d);
    memory.writeI32(result, fd);
    return SUCCESS;
  }

  private int mkdir(int fd, String path) throws Errno, IOException {
    Dir d = dir(fd);
    writable(d.root);
    try (Target t = walk(d.root, d.segments, path, true)) {
      if (t.exists()) {
        throw new Errno(EEXIST);
      }
      if (t.parent() == null) {
        throw new Errno(ENOENT);
      }
      Root r = d.root;
      if (r.staging == null) {
        r.stagingPath = r.real.resolveSibling("." + r.real.getFileName() + STAGING);
        Files.createDirectories(r.stagingPath);
        r.staging = secure(r.stagingPath);
      }
      Path temp = Path.of("d" + UUID.randomUUID());
      Files.createDirectory(r.stagingPath.resolve(temp));
      try {
        r.staging.move(temp, t.parent(), t.name());
      } catch (IOException e) {
        try {
          r.staging.deleteDirectory(temp);
        } catch (IOException ignored) {
          // Moved after all, or gone: either way not left in the staging directory.
        }
        throw e;
      }
    }
    return SUCCESS;
  }

  private int remove(int fd, String path, boolean directory) throws Errno, IOException {
    Dir d = dir(fd);
    writable(d.root);
    try (Target t = walk(d.root, d.segments, path, directory)) {
      requireExists(t);
      if (t.isRoot()) {
        throw new Errno(directory ? EBUSY : EISDIR);
      }
      if (directory && !t.attributes().isDirectory()) {
        throw new Errno(ENOTDIR);
      }
      if (!directory && t.attributes().isDirectory()) {
        throw new Errno(EISDIR);
      }
      if (!directory && t.trailingSlash()) {
        throw new Errno(ENOTDIR);
      }
      if (directory) {
        t.parent().deleteDirectory(t.name());
      } else {
        t.parent().deleteFile(t.name());
      }
    }
    return SUCCESS;
  }

  private int rename(int fromFd, String from, int toFd, String to) throws Errno, IOException {
    Dir a = dir(fromFd);
    Dir b = dir(toFd);
    if (a.root != b.root) {
      throw new Errno(EXDEV);
    }
    writable(a.root);
    try (Target s = walk(a.root, a.segments, from, false);
        Target t = walk(b.root, b.segments, to, false)) {
      requireExists(s);
      if (s.isRoot() || t.isRoot()) {
        throw new Errno(EBUSY);
      }
      if (t.parent() == null) {
        throw new Errno(ENOENT);
      }
      boolean dir = s.attributes().isDirectory();
      if ((s.trailingSlash() || t.trailingSlash()) && !dir) {
        throw new Errno(ENOTDIR);
      }
      if (t.exists()) {
        boolean targetDir = t.attributes().isDirectory();
        if (dir && !targetDir) {
          throw new Errno(ENOTDIR);
        }
        if (!dir && targetDir) {
          throw new Errno(EISDIR);
        }
      }
      if (dir && startsWith(t.segments(), s.segments()) && !t.segments().equals(s.segments())) {
        // Into itself: the directory would leave the tree.
        throw new Errno(EINVAL);
      }
      s.parent().move(s.name(), t.parent(), t.name());
    }
    return SUCCESS;
  }

  private static boolean startsWith(List<String> path, List<String> prefix) {
    return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
  }

  private int readlink(int fd, String path) throws Errno, IOException {
    Dir d = dir(fd);
    try (Target t = walk(d.root, d.segments, path, false)) {
      requireExists(t);
      // Links are never followed, nor shown: where one points is outside the guest's world.
      throw new Errno(t.attributes().isSymbolicLink() ? ENOTCAPABLE : EINVAL);
    }
  }

  private int noLinks(int fd) throws Errno {
    Dir d = dir(fd);
    writable(d.root);
    return ENOTSUP;
  }

  private static void writable(Root root) throws Errno {
    if (root.readOnly) {
      throw new Errno(EROFS);
    }
  }

  private static void requireExists(Target t) throws Errno {
    if (!t.exists()) {
      throw new Errno(ENOENT);
    }
  }

  /**
   * Resolves {@code path} against directory {@code base} of {@code root} by name ({@code .}
   * dropped, {@code ..} climbing, never above the root), then walks it from the root's handle.
   *
   * @param forRemoval whether a trailing slash may name what is removed
   * @throws Errno ENOTCAPABLE for a path that would leave the root or meets a link, ENOENT for an
   *     empty path, ENOTDIR if a parent is not a directory, ENAMETOOLONG for a path too long
   */
  private static Target walk(Root root, List<String> base, String path, boolean forRemoval)
      throws Errno, IOException {
    if (path.startsWith("/")) {
      throw new Errno(ENOTCAPABLE);
    }
    if (path.isEmpty() && !base.isEmpty()) {
      // The directory itself, by fd: resolved from its own segments.
      return walk(root, List.of(), String.join("/", base), forRemoval);
    }
    List<String> segments = new ArrayList<>(base);
    for (String s : path.split("/", -1)) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (segments.isEmpty()) {
          throw new Errno(ENOTCAPABLE);
        }
        segments.removeLast();
        continue;
      }
      if (utf8(s).length > MAX_SEGMENT) {
        throw new Errno(ENAMETOOLONG);
      }
      segments.add(s);
    }
    if (segments.size() > MAX_DEPTH) {
      throw new Errno(ENAMETOOLONG);
    }
    boolean trailingSlash = path.endsWith("/") && !forRemoval && !path.isEmpty();
    if (segments.isEmpty()) {
      var self = root.handle.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
      return new Target(root, List.of(), root.handle, null, self, false, false);
    }
    SecureDirectoryStream<Path> dir = root.handle;
    boolean owned = false;
    try {
      for (int i = 0; i < segments.size() - 1; i++) {
        Path name = name(segments.get(i));
        BasicFileAttributes a = stat(dir, name);
        if (a == null) {
          return new Target(root, segments, null, null, null, false, trailingSlash);
        }
        if (a.isSymbolicLink()) {
          throw new Errno(ENOTCAPABLE);
        }
        if (!a.isDirectory()) {
          throw new Errno(ENOTDIR);
        }
        SecureDirectoryStream<Path> next = openDirectory(dir, name);
        if (owned) {
          closeQuietly(dir);
        }
        dir = next;
        owned = true;
      }
      Path last = name(segments.getLast());
      BasicFileAttributes a = stat(dir, last);
      if (a != null && a.isSymbolicLink()) {
        throw new Errno(ENOTCAPABLE);
      }
      return new Target(root, segments, dir, last, a, owned, trailingSlash);
    } catch (Errno | IOException | RuntimeException e) {
      if (owned) {
        closeQuietly(dir);
      }
      throw e;
    }
  }

  private static Path name(String segment) throws Errno {
    try {
      Path name = Path.of(segment);
      if (name.getNameCount() != 1 || name.isAbsolute()) {
        throw new Errno(EINVAL);
      }
      return name;
    } catch (InvalidPathException e) {
      throw new Errno(EINVAL);
    }
  }

  /** What {@code name} in {@code dir} is, without following a link; null if nothing. */
  private static BasicFileAttributes stat(SecureDirectoryStream<Path> dir, Path name)
      throws IOException {
    try {
      return dir.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW)
          .readAttributes();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Opens directory {@code name} of {@code dir} without following a link. */
  private static SecureDirectoryStream<Path> openDirectory(
      SecureDirectoryStream<Path> dir, Path name) throws Errno, IOException {
    try {
      return dir.newDirectoryStream(name, NOFOLLOW);
    } catch (NotDirectoryException e) {
      throw new Errno(ENOTDIR);
    } catch (FileSystemException e) {
      throw linkOr(dir, name, e);
    }
  }

  /** ENOTCAPABLE if an open that follows no link met one (swapped in since the walk), else e's. */
  private static Errno linkOr(SecureDirectoryStream<Path> dir, Path name, FileSystemException e) {
    BasicFileAttributes now = null;
    try {
      now = stat(dir, name);
    } catch (IOException ignored) {
      // Then the error says it alone.
    }
    if (reason(e).contains("symbolic link") || now != null && now.isSymbolicLink()) {
      return new Errno(ENOTCAPABLE);
    }
    return new Errno(errno(e));
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // Closing what was only read, or a handle: nothing is lost.
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
