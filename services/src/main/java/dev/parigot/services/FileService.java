package dev.parigot.services;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.proto.FileProto;
import dev.parigot.services.proto.FileProto.Chunk;
import dev.parigot.services.proto.FileProto.DeleteRequest;
import dev.parigot.services.proto.FileProto.DeleteResponse;
import dev.parigot.services.proto.FileProto.Entry;
import dev.parigot.services.proto.FileProto.Kind;
import dev.parigot.services.proto.FileProto.ListPage;
import dev.parigot.services.proto.FileProto.ListRequest;
import dev.parigot.services.proto.FileProto.MkdirRequest;
import dev.parigot.services.proto.FileProto.MkdirResponse;
import dev.parigot.services.proto.FileProto.ReadRequest;
import dev.parigot.services.proto.FileProto.StatRequest;
import dev.parigot.services.proto.FileProto.StatResponse;
import dev.parigot.services.proto.FileProto.WriteRequest;
import dev.parigot.services.proto.FileProto.WriteResponse;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * parigot.file.v1.File: each program's files, in the directory its manifest grants. See file.proto
 * for the contract.
 *
 * <p>A path never leaves its sandbox: it is checked as text first (relative, no {@code ..}, no
 * NUL), then every existing directory along it is read without following links and a link anywhere
 * is refused, and the last segment is opened with {@code NOFOLLOW_LINKS}. What this does not cover
 * is a race: another process of the host swapping a checked directory for a link between the check
 * and the use. Guests cannot do that (they cannot make links), so only the host's own users could.
 */
/**
 * parigot.file.v1.File: each program's files, in the directory its manifest grants. See file.proto
 * for the contract.
 *
 * <p>A path never leaves its sandbox, even while another process of the host changes the sandbox
 * under it: the path is checked as text first (relative, no {@code ..}, no NUL), then every
 * operation walks it from a handle on the sandbox's directory, opened when the app was admitted and
 * kept open, one segment at a time, each opened relative to the handle of the one before without
 * following a link ({@link SecureDirectoryStream}, which is {@code openat} with {@code O_NOFOLLOW}
 * on Linux). No path is looked up twice, so nothing checked can be swapped before it is used: a
 * link met anywhere, found at once or swapped in meanwhile, is refused with PERMISSION_DENIED.
 * Without such handles (a platform whose Java lacks them) no files directory is granted.
 *
 * <p>Java has no {@code mkdirat}: a directory is made in a staging directory next to the sandbox
 * (outside it, so nothing in the sandbox leads there) and moved into place relative to handles
 * ({@code renameat}). Each program's changes (write, delete, mkdir) run one at a time, so what they
 * add to and free from its {@link DiskQuotas disk quota} is exact.
 */
final class FileService implements AutoCloseable {
  static final int MAX_PATH = 1024;
  static final int MAX_SEGMENT = 255;
  static final int MAX_DEPTH = 32;
  static final int MAX_WRITE = 1 << 20;
  static final long MAX_FILE = 256L << 20;
  static final int DEFAULT_CHUNK = 64 << 10;
  static final int MAX_CHUNK = 512 << 10;
  static final int MAX_LIST = 100_000;
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;

  /** The staging directory of sandbox DIR is DIR's sibling ".DIR" + this. */
  static final String STAGING = ".parigot-mkdir";

  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final Path SELF = Path.of(".");
  private static final String LINK =
      "goes through a symbolic link, which the file service never follows";

  /** A program's directory: handles on it and its staging directory, open while it is granted. */
  private static final class Sandbox {
    final String app;
    final String program;
    final SecureDirectoryStream<Path> root;
    final Path stagingPath;
    final SecureDirectoryStream<Path> staging;
    // Held by write, delete and mkdir: one change at a time, so each sees the sizes it changes.
    final ReentrantLock changes = new ReentrantLock();

    Sandbox(
        String app,
        String program,
        SecureDirectoryStream<Path> root,
        Path stagingPath,
        SecureDirectoryStream<Path> staging) {
      this.app = app;
      this.program = program;
      this.root = root;
      this.stagingPath = stagingPath;
      this.staging = staging;
    }

    void close() {
      closeQuietly(root);
      closeQuietly(staging);
    }
  }

  /**
   * A checked path walked to its last segment: the handle of its parent directory (null if a parent
   * is missing) and what is there (null if nothing). For the empty path, the sandbox itself, {@code
   * name} is null and {@code parent} is the sandbox's handle.
   */
  private record Target(
      String text,
      SecureDirectoryStream<Path> parent,
      Path name,
      BasicFileAttributes attributes,
      boolean owned)
      implements AutoCloseable {
    boolean exists() {
      return attributes != null;
    }

    boolean isSandbox() {
      return name == null && parent != null;
    }

    boolean parentMissing() {
      return parent == null;
    }

    @Override
    public void close() {
      if (owned) {
        closeQuietly(parent);
      }
    }
  }

  private final DiskQuotas quotas;

  // app -> program -> its sandbox.
  private final Map<String, Map<String, Sandbox>> grants = new ConcurrentHashMap<>();

  FileService(DiskQuotas quotas) {
    this.quotas = quotas;
  }

  /**
   * Honours the {@code files} grants of {@code manifest}'s programs, creating their directories and
   * counting what is in them; replaces the app's earlier grants.
   *
   * @throws IOException if a directory cannot be created or opened, or this platform offers no
   *     {@link SecureDirectoryStream}
   */
  void grant(Manifest manifest) throws IOException {
    var opened = new HashMap<String, Sandbox>();
    try {
      for (var grant : manifest.section(FilesSection.KEY).orElse(Map.of()).entrySet()) {
        Files.createDirectories(grant.getValue());
        // Real once, here: what the operator set up may involve links; what guests do may not.
        Path real = grant.getValue().toRealPath();
        opened.put(grant.getKey(), open(manifest.app(), grant.getKey(), real));
        quotas.count(manifest.app(), grant.getKey(), DiskQuotas.Kind.FILES, usage(real));
      }
    } catch (IOException | RuntimeException e) {
      opened.values().forEach(Sandbox::close);
      throw e;
    }
    Map<String, Sandbox> old = grants.put(manifest.app(), Map.copyOf(opened));
    if (old != null) {
      old.values().forEach(Sandbox::close);
    }
  }

  private static Sandbox open(String app, String program, Path real) throws IOException {
    SecureDirectoryStream<Path> root = secure(real);
    try {
      Path stagingPath = real.resolveSibling("." + real.getFileName() + STAGING);
      Files.createDirectories(stagingPath);
      SecureDirectoryStream<Path> staging = secure(stagingPath);
      // Left by a kernel killed while making a directory: empty, and nobody's.
      try (DirectoryStream<Path> left = Files.newDirectoryStream(stagingPath)) {
        for (Path p : left) {
          try {
            staging.deleteDirectory(p.getFileName());
          } catch (IOException e) {
            // Not ours to remove: a staging directory holds only what this class put there.
          }
        }
      }
      return new Sandbox(app, program, root, stagingPath, staging);
    } catch (IOException | RuntimeException e) {
      closeQuietly(root);
      throw e;
    }
  }

  /**
   * A handle on {@code dir} that opens relative to itself without following links.
   *
   * @throws IOException if the platform has none (fail closed: no handle, no sandbox)
   */
  static SecureDirectoryStream<Path> secure(Path dir) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
    if (stream instanceof SecureDirectoryStream<Path> s) {
      return s;
    }
    stream.close();
    throw new IOException(
        "the file service needs directory handles that open files relative to a directory"
            + " without following links (java.nio.file.SecureDirectoryStream), which Java does not"
            + " offer for "
            + dir.getFileSystem().provider().getScheme()
            + " paths on this platform; it grants no files directory without them");
  }

  /** What a directory holds, as the quotas count it: see {@link DiskQuotas}. */
  private static long usage(Path root) throws IOException {
    long[] sum = {0};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
            if (!d.equals(root)) {
              sum[0] += DiskQuotas.BLOCK;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
            sum[0] += a.isRegularFile() ? DiskQuotas.file(a.size()) : DiskQuotas.BLOCK;
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path f, IOException e) {
            // Unreadable to the kernel: then not the guests' either.
            return FileVisitResult.CONTINUE;
          }
        });
    return sum[0];
  }

  /** Closes every sandbox's handles; a call still using one fails with UNAVAILABLE. */
  @Override
  public void close() {
    for (var app : grants.keySet()) {
      Map<String, Sandbox> old = grants.remove(app);
      if (old != null) {
        old.values().forEach(Sandbox::close);
      }
    }
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(FileProto.getDescriptor().findServiceByName("File"), threads)
        .on("Read", ReadRequest.getDefaultInstance(), guarded(this::read))
        .on("Write", WriteRequest.getDefaultInstance(), guarded(this::write))
        .on("Stat", StatRequest.getDefaultInstance(), guarded(this::stat))
        .on("List", ListRequest.getDefaultInstance(), guarded(this::list))
        .on("Delete", DeleteRequest.getDefaultInstance(), guarded(this::delete))
        .on("Mkdir", MkdirRequest.getDefaultInstance(), guarded(this::mkdir))
        .build();
  }

  /** A handler whose sandbox's handles were closed under it (a new grant, or shutdown). */
  private static <R extends Message> Dispatcher.Handler<R> guarded(Dispatcher.Handler<R> h) {
    return (call, request) -> {
      try {
        return h.handle(call, request);
      } catch (ClosedDirectoryStreamException e) {
        throw new Failure(
            Code.UNAVAILABLE,
            "the program's files directory was granted again or the services are stopping;"
                + " try again");
      }
    };
  }

  private Chunk read(Call call, ReadRequest r) throws IOException {
    Sandbox s = sandbox(call.caller());
    long offset = Check.range("offset", r.getOffset(), 0, Long.MAX_VALUE);
    long length = Check.range("length", r.getLength(), 0, Long.MAX_VALUE);
    int chunk = (int) Check.range("chunk_bytes", r.getChunkBytes(), 0, MAX_CHUNK);
    FileChannel in;
    try (Target f = target(s, r.getPath(), false)) {
      requireFile(f);
      in = openFile(f, StandardOpenOption.READ);
    }
    call.stream(new Reading(call, in, offset, length, chunk == 0 ? DEFAULT_CHUNK : chunk)::next);
    return null;
  }

  /**
   * A Read in progress: each step reads and sends one chunk, when the caller is ready for it. The
   * file stays open while the stream waits for its reader, and is closed however the stream ends.
   */
  private static final class Reading {
    private final Call call;
    private final FileChannel in;
    private final ByteBuffer buffer;
    private long at;
    private long left;

    Reading(Call call, FileChannel in, long offset, long length, int chunk) {
      this.call = call;
      this.in = in;
      this.at = offset;
      this.left = length == 0 ? Long.MAX_VALUE : length;
      this.buffer = ByteBuffer.allocate(chunk);
      call.onCancel(this::close);
    }

    boolean next() throws IOException {
      try {
        int n = 0;
        if (left > 0) {
          buffer.clear().limit((int) Math.min(buffer.capacity(), left));
          n = in.read(buffer, at);
        }
        if (n <= 0) {
          close();
          call.end(Chunk.newBuilder().setOffset(at).build());
          return false;
        }
        var c = Chunk.newBuilder().setOffset(at).setData(ByteString.copyFrom(buffer.array(), 0, n));
        at += n;
        left -= n;
        if (!call.partial(c.build())) {
          close();
          return false;
        }
        return true;
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    private void close() {
      try {
        in.close();
      } catch (IOException e) {
        // Opened to read only: nothing is lost.
      }
    }
  }

  private WriteResponse write(Call call, WriteRequest r) throws IOException {
    Sandbox s = sandbox(call.caller());
    OpenOption[] options =
        switch (r.getMode()) {
          case CREATE -> new OpenOption[] {StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW};
          case TRUNCATE ->
              new OpenOption[] {
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING
              };
          case APPEND ->
              new OpenOption[] {
                StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.APPEND
              };
          default ->
              throw Failure.invalid(
                  "mode: " + r.getModeValue() + " is not a mode; CREATE, TRUNCATE or APPEND");
        };
    Check.size("data", r.getData().size(), MAX_WRITE);
    s.changes.lock();
    try (Target f = target(s, r.getPath(), false)) {
      if (f.isSandbox()) {
        throw Failure.invalid("path: required");
      }
      if (f.parentMissing()) {
        throw new Failure(Code.NOT_FOUND, "the parent of " + quote(f) + " does not exist");
      }
      if (f.exists() && !f.attributes().isRegularFile()) {
        throw Failure.precondition(quote(f) + " is not a regular file");
      }
      if (f.exists() && r.getMode() == FileProto.Mode.CREATE) {
        throw new Failure(Code.ALREADY_EXISTS, quote(f) + " exists");
      }
      long before = f.exists() ? f.attributes().size() : -1;
      long counted = before < 0 ? 0 : DiskQuotas.file(before);
      long after =
          (r.getMode() == FileProto.Mode.APPEND ? Math.max(before, 0) : 0) + r.getData().size();
      long reserved = Math.max(0, DiskQuotas.file(after) - counted);
      quotas.reserve(s.app, s.program, DiskQuotas.Kind.FILES, reserved);
      long[] size = {before};
      try {
        writeFile(f, options, r.getData().asReadOnlyByteBuffer(), size);
      } finally {
        // Counted as it is now, however the write ended.
        long now = size[0] < 0 ? 0 : DiskQuotas.file(size[0]);
        quotas.adjust(s.app, s.program, DiskQuotas.Kind.FILES, now - counted - reserved);
      }
      if (!f.exists()) {
        // A new file is durable only once its directory entry is.
        syncDirectory(f.parent());
      }
      return WriteResponse.newBuilder().setSize(size[0]).build();
    } finally {
      s.changes.unlock();
    }
  }

  /**
   * Writes {@code data} and forces it to disk. {@code size[0]} is the file's size however this
   * ends: a full disk can stop a write halfway.
   */
  private static void writeFile(Target f, OpenOption[] options, ByteBuffer data, long[] size)
      throws IOException {
    FileChannel out;
    try {
      out = openFile(f, options);
    } catch (FileAlreadyExistsException e) {
      throw new Failure(Code.ALREADY_EXISTS, quote(f) + " exists");
    }
    try (out) {
      size[0] = out.size();
      if (size[0] + data.remaining() > MAX_FILE) {
        throw new Failure(
            Code.RESOURCE_EXHAUSTED,
            quote(f)
                + " would grow to "
                + (size[0] + data.remaining())
                + " bytes; at most "
                + MAX_FILE);
      }
      try {
        while (data.hasRemaining()) {
          out.write(data);
        }
        // Durable before the reply: the data, and the file's size and metadata with it.
        out.force(true);
      } finally {
        size[0] = out.size();
      }
    }
  }

  private StatResponse stat(Call call, StatRequest r) throws IOException {
    try (Target f = target(sandbox(call.caller()), r.getPath(), false)) {
      if (!f.exists()) {
        throw notFound(f);
      }
      String name = f.text().substring(f.text().lastIndexOf('/') + 1);
      return StatResponse.newBuilder().setEntry(entry(name, f.attributes())).build();
    }
  }

  private ListPage list(Call call, ListRequest r) throws IOException {
    Sandbox s = sandbox(call.caller());
    int pageSize = (int) Check.range("page_size", r.getPageSize(), 0, MAX_PAGE);
    var entries = new ArrayList<Entry>();
    try (Target f = target(s, r.getPath(), false)) {
      if (!f.exists()) {
        throw notFound(f);
      }
      if (!f.attributes().isDirectory()) {
        throw Failure.precondition(quote(f) + " is not a directory");
      }
      SecureDirectoryStream<Path> opened =
          f.isSandbox()
              ? f.parent().newDirectoryStream(SELF, NOFOLLOW)
              : openDirectory(f.parent(), f.name(), f.text());
      if (opened == null) {
        throw notFound(f);
      }
      try (SecureDirectoryStream<Path> dir = opened) {
        for (Path p : dir) {
          if (entries.size() == MAX_LIST) {
            throw new Failure(
                Code.RESOURCE_EXHAUSTED, quote(f) + " has more than " + MAX_LIST + " entries");
          }
          BasicFileAttributes attributes = stat(dir, p.getFileName());
          // Null: deleted while listing, so no longer there to list.
          if (attributes != null) {
            entries.add(entry(p.getFileName().toString(), attributes));
          }
        }
      }
    }
    entries.sort((a, b) -> Arrays.compareUnsigned(utf8(a.getName()), utf8(b.getName())));
    int size = pageSize == 0 ? DEFAULT_PAGE : pageSize;
    // Steps run one at a time, each on a thread started after the last step ran.
    int[] sent = {0};
    call.stream(() -> {
      if (sent[0] >= entries.size()) {
        call.end(ListPage.getDefaultInstance());
        return false;
      }
      var page = entries.subList(sent[0], Math.min(entries.size(), sent[0] + size));
      sent[0] += page.size();
      return call.partial(ListPage.newBuilder().addAllEntries(page).build());
    });
    return null;
  }

  private DeleteResponse delete(Call call, DeleteRequest r) throws IOException {
    Sandbox s = sandbox(call.caller());
    s.changes.lock();
    try (Target f = target(s, r.getPath(), false)) {
      if (f.isSandbox()) {
        throw Failure.invalid("path: the sandbox itself cannot be deleted");
      }
      if (!f.exists()) {
        return DeleteResponse.getDefaultInstance();
      }
      boolean directory = f.attributes().isDirectory();
      try {
        if (directory) {
          f.parent().deleteDirectory(f.name());
        } else {
          f.parent().deleteFile(f.name());
        }
      } catch (NoSuchFileException e) {
        return DeleteResponse.getDefaultInstance();
      } catch (DirectoryNotEmptyException e) {
        throw notEmpty(f);
      } catch (FileSystemException e) {
        if (reason(e).contains("not empty")) {
          throw notEmpty(f);
        }
        // A file became a directory or the reverse since it was looked at: someone else's doing.
        throw Failure.precondition(quote(f) + " changed while it was being deleted");
      }
      long freed =
          f.attributes().isRegularFile()
              ? DiskQuotas.file(f.attributes().size())
              : DiskQuotas.BLOCK;
      quotas.adjust(s.app, s.program, DiskQuotas.Kind.FILES, -freed);
      syncDirectory(f.parent());
      return DeleteResponse.newBuilder().setFound(true).build();
    } finally {
      s.changes.unlock();
    }
  }

  private MkdirResponse mkdir(Call call, MkdirRequest r) throws IOException {
    Sandbox s = sandbox(call.caller());
    s.changes.lock();
    try (Target f = target(s, r.getPath(), r.getParents())) {
      if (f.parentMissing()) {
        throw new Failure(Code.NOT_FOUND, "the parent of " + quote(f) + " does not exist");
      }
      if (!f.exists() && makeDirectory(s, f.parent(), f.name(), f.text())) {
        syncDirectory(f.parent());
        return MkdirResponse.newBuilder().setCreated(true).build();
      }
      BasicFileAttributes there = f.exists() ? f.attributes() : stat(f.parent(), f.name());
      if (there == null || !there.isDirectory()) {
        throw new Failure(Code.ALREADY_EXISTS, quote(f) + " exists and is not a directory");
      }
      return MkdirResponse.getDefaultInstance();
    } finally {
      s.changes.unlock();
    }
  }

  // ---- The sandbox ----

  private Sandbox sandbox(Caller caller) {
    Sandbox s = grants.getOrDefault(caller.app(), Map.of()).get(caller.program());
    if (s == null) {
      throw new Failure(
          Code.PERMISSION_DENIED,
          "program '"
              + caller.program()
              + "' has no files directory; grant one in its"
              + " manifest, e.g. files = \""
              + caller.program()
              + "\"");
    }
    return s;
  }

  /**
   * Checks {@code text} as a path in the sandbox and walks it from the sandbox's handle, each
   * directory opened relative to the one before without following links; with {@code makeParents},
   * missing directories along it are made.
   *
   * @throws Failure PERMISSION_DENIED for a path that would leave the sandbox (a link anywhere
   *     along it included), INVALID_ARGUMENT for a malformed one, FAILED_PRECONDITION if a parent
   *     is a file
   */
  private Target target(Sandbox s, String text, boolean makeParents) throws IOException {
    String[] segments = segments(text);
    if (segments.length == 0) {
      var self = s.root.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
      return new Target(text, s.root, null, self, false);
    }
    SecureDirectoryStream<Path> dir = s.root;
    boolean owned = false;
    try {
      for (int i = 0; i < segments.length - 1; i++) {
        Path name = name(text, segments[i]);
        BasicFileAttributes a = stat(dir, name);
        if (a == null && makeParents) {
          makeDirectory(s, dir, name, text);
        } else if (a == null) {
          return new Target(text, null, name(text, segments[segments.length - 1]), null, false);
        } else if (a.isSymbolicLink()) {
          throw denied(text, LINK);
        } else if (!a.isDirectory()) {
          throw notADirectory(text);
        }
        SecureDirectoryStream<Path> next = openDirectory(dir, name, text);
        if (next == null) {
          // Removed since it was looked at.
          return new Target(text, null, name(text, segments[segments.length - 1]), null, false);
        }
        if (owned) {
          closeQuietly(dir);
        }
        dir = next;
        owned = true;
      }
      Path last = name(text, segments[segments.length - 1]);
      BasicFileAttributes a = stat(dir, last);
      if (a != null && a.isSymbolicLink()) {
        throw denied(text, LINK);
      }
      return new Target(text, dir, last, a, owned);
    } catch (IOException | RuntimeException e) {
      if (owned) {
        closeQuietly(dir);
      }
      throw e;
    }
  }

  /** The segments of a path checked as text; none for the empty path, the sandbox itself. */
  private static String[] segments(String text) {
    byte[] bytes = utf8(text);
    if (bytes.length > MAX_PATH) {
      throw Failure.invalid("path: " + bytes.length + " bytes; at most " + MAX_PATH);
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        throw Failure.invalid(
            "path: '"
                + Check.printable(text)
                + "' contains a control character"
                + (text.charAt(i) == 0 ? " (NUL)" : ""));
      }
    }
    if (text.isEmpty()) {
      return new String[0];
    }
    if (text.startsWith("/")) {
      throw denied(text, "is absolute; paths are relative to the program's directory");
    }
    String[] segments = text.split("/", -1);
    if (segments.length > MAX_DEPTH) {
      throw Failure.invalid("path: " + segments.length + " segments; at most " + MAX_DEPTH);
    }
    for (String segment : segments) {
      if (segment.equals("..")) {
        throw denied(text, "has a '..' segment");
      }
      if (segment.isEmpty() || segment.equals(".")) {
        throw Failure.invalid("path: '" + Check.printable(text) + "' has an empty or '.' segment");
      }
      if (utf8(segment).length > MAX_SEGMENT) {
        throw Failure.invalid(
            "path: a segment of " + utf8(segment).length + " bytes; at most " + MAX_SEGMENT);
      }
    }
    return segments;
  }

  /** One segment as a path of one name, which a handle opens relative to itself. */
  private static Path name(String text, String segment) {
    try {
      Path name = Path.of(segment);
      if (name.getNameCount() != 1 || name.isAbsolute()) {
        throw Failure.invalid("path: '" + Check.printable(text) + "' has a malformed segment");
      }
      return name;
    } catch (InvalidPathException e) {
      throw Failure.invalid(
          "path: '"
              + Check.printable(text)
              + "' cannot be a file name on"
              + " this host: "
              + e.getReason());
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

  /**
   * Opens directory {@code name} of {@code dir} without following a link; null if it is gone.
   *
   * @throws Failure PERMISSION_DENIED if it is a link, FAILED_PRECONDITION if not a directory
   */
  private static SecureDirectoryStream<Path> openDirectory(
      SecureDirectoryStream<Path> dir, Path name, String text) throws IOException {
    try {
      return dir.newDirectoryStream(name, NOFOLLOW);
    } catch (NoSuchFileException e) {
      return null;
    } catch (NotDirectoryException e) {
      throw notADirectory(text);
    } catch (IOException e) {
      throw link(dir, name, text, e);
    }
  }

  /** Opens a walked file; a link swapped in since the walk is refused, not followed. */
  private static FileChannel openFile(Target f, OpenOption... options) throws IOException {
    var all = new HashSet<OpenOption>(List.of(options));
    all.add(NOFOLLOW);
    SeekableByteChannel channel;
    try {
      channel = f.parent().newByteChannel(f.name(), all);
    } catch (NoSuchFileException e) {
      throw new Failure(
          Code.NOT_FOUND,
          f.exists()
              ? quote(f) + " no longer exists"
              : "the parent of " + quote(f) + " does not exist");
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException e) {
      throw link(f.parent(), f.name(), f.text(), e);
    }
    if (channel instanceof FileChannel file) {
      return file;
    }
    channel.close();
    throw new IOException("the platform's directory handles open no FileChannel");
  }

  /**
   * What an open that does not follow links threw: PERMISSION_DENIED if it met a link ({@code
   * ELOOP}, or a link is there now), else {@code e} itself.
   */
  private static IOException link(
      SecureDirectoryStream<Path> dir, Path name, String text, IOException e) throws IOException {
    BasicFileAttributes now = null;
    try {
      now = stat(dir, name);
    } catch (IOException ignored) {
      // Then the error says it alone.
    }
    if (reason(e).contains("symbolic link") || now != null && now.isSymbolicLink()) {
      throw denied(text, LINK);
    }
    return e;
  }

  /**
   * Makes directory {@code name} in {@code dir}: made in the staging directory, then moved into
   * place relative to the handles. Returns false if something was there already.
   */
  private boolean makeDirectory(Sandbox s, SecureDirectoryStream<Path> dir, Path name, String text)
      throws IOException {
    quotas.reserve(s.app, s.program, DiskQuotas.Kind.FILES, DiskQuotas.BLOCK);
    Path temp = Path.of("d" + UUID.randomUUID());
    boolean moved = false;
    try {
      Files.createDirectory(s.stagingPath.resolve(temp));
      s.staging.move(temp, dir, name);
      moved = true;
      return true;
    } catch (FileSystemException e) {
      if (stat(s.staging, temp) == null) {
        // Not made in the staging directory the handle holds: it was moved or replaced.
        throw new Failure(
            Code.UNAVAILABLE,
            "cannot make " + quote(text) + ": the sandbox's staging directory was changed");
      }
      if (stat(dir, name) != null) {
        return false;
      }
      if (reason(e).contains("cross-device")) {
        throw new IOException(
            "the files directory and "
                + s.stagingPath
                + " are on different filesystems; the file service makes directories there"
                + " and moves them in",
            e);
      }
      throw e;
    } finally {
      if (!moved) {
        quotas.adjust(s.app, s.program, DiskQuotas.Kind.FILES, -DiskQuotas.BLOCK);
        try {
          s.staging.deleteDirectory(temp);
        } catch (IOException e) {
          // Not made, or removed at the next grant.
        }
      }
    }
  }

  private static void requireFile(Target f) {
    if (!f.exists()) {
      throw notFound(f);
    }
    if (!f.attributes().isRegularFile()) {
      throw Failure.precondition(quote(f) + " is not a regular file");
    }
  }

  /** Makes a directory's entries (a new or removed name) durable. */
  private static void syncDirectory(SecureDirectoryStream<Path> dir) throws IOException {
    try (var d = dir.newByteChannel(SELF, Set.of(StandardOpenOption.READ))) {
      if (d instanceof FileChannel f) {
        f.force(true);
      }
    }
  }

  private static void closeQuietly(SecureDirectoryStream<Path> dir) {
    try {
      dir.close();
    } catch (IOException e) {
      // A directory opened to read: nothing is lost.
    }
  }

  private static String reason(IOException e) {
    String m = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
    return m == null ? "" : m;
  }

  private static Entry entry(String name, BasicFileAttributes a) {
    Kind kind = a.isRegularFile() ? Kind.FILE : a.isDirectory() ? Kind.DIRECTORY : Kind.OTHER;
    return Entry.newBuilder()
        .setName(name)
        .setKind(kind)
        .setSize(kind == Kind.FILE ? a.size() : 0)
        .setModifiedUnixNanos(a.lastModifiedTime().to(TimeUnit.NANOSECONDS))
        .build();
  }

  private static Failure notFound(Target f) {
    return new Failure(Code.NOT_FOUND, quote(f) + " does not exist");
  }

  private static Failure notEmpty(Target f) {
    return Failure.precondition(quote(f) + " is a directory that is not empty");
  }

  private static Failure notADirectory(String text) {
    return Failure.precondition("'" + Check.printable(text) + "': a parent is not a directory");
  }

  private static Failure denied(String path, String why) {
    return new Failure(Code.PERMISSION_DENIED, "path: '" + Check.printable(path) + "' " + why);
  }

  /** The guest's own path, never the host's: where the sandbox lies is not the guest's business. */
  private static String quote(Target f) {
    return quote(f.text());
  }

  private static String quote(String text) {
    return text.isEmpty() ? "the program's directory" : "'" + Check.printable(text) + "'";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
