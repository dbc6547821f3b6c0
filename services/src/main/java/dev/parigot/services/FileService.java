package dev.parigot.services;

import com.google.protobuf.ByteString;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

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
final class FileService {
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

  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  /** A checked path: where it leads and, if it exists, what is there. */
  private record Resolved(String text, Path path, BasicFileAttributes attributes) {
    boolean exists() {
      return attributes != null;
    }
  }

  // app -> program -> the real path of its directory.
  private final Map<String, Map<String, Path>> grants = new ConcurrentHashMap<>();

  /**
   * Honours the {@code files} grants of {@code manifest}'s programs, creating their directories;
   * replaces the app's earlier grants.
   */
  void grant(Manifest manifest) throws IOException {
    var roots = new ConcurrentHashMap<String, Path>();
    for (var grant : manifest.section(FilesSection.KEY).orElse(Map.of()).entrySet()) {
      Files.createDirectories(grant.getValue());
      // Real once, here: what the operator set up may involve links; what guests do may not.
      roots.put(grant.getKey(), grant.getValue().toRealPath());
    }
    grants.put(manifest.app(), roots);
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(FileProto.getDescriptor().findServiceByName("File"), threads)
        .on("Read", ReadRequest.getDefaultInstance(), this::read)
        .on("Write", WriteRequest.getDefaultInstance(), this::write)
        .on("Stat", StatRequest.getDefaultInstance(), this::stat)
        .on("List", ListRequest.getDefaultInstance(), this::list)
        .on("Delete", DeleteRequest.getDefaultInstance(), this::delete)
        .on("Mkdir", MkdirRequest.getDefaultInstance(), this::mkdir)
        .build();
  }

  private Chunk read(Call call, ReadRequest r) throws IOException {
    Path root = root(call.caller());
    long offset = Check.range("offset", r.getOffset(), 0, Long.MAX_VALUE);
    long length = Check.range("length", r.getLength(), 0, Long.MAX_VALUE);
    int chunk = (int) Check.range("chunk_bytes", r.getChunkBytes(), 0, MAX_CHUNK);
    Resolved f = resolve(root, r.getPath());
    requireFile(f);
    FileChannel in = open(f, StandardOpenOption.READ);
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
    Path root = root(call.caller());
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
    Resolved f = resolve(root, r.getPath());
    if (f.path().equals(root)) {
      throw Failure.invalid("path: required");
    }
    if (f.exists() && !f.attributes().isRegularFile()) {
      throw Failure.precondition(quote(f) + " is not a regular file");
    }
    if (f.exists() && r.getMode() == FileProto.Mode.CREATE) {
      throw new Failure(Code.ALREADY_EXISTS, quote(f) + " exists");
    }
    long size;
    try (FileChannel out = open(f, options)) {
      if (out.size() + r.getData().size() > MAX_FILE) {
        throw new Failure(
            Code.RESOURCE_EXHAUSTED,
            quote(f)
                + " would grow to "
                + (out.size() + r.getData().size())
                + " bytes; at most "
                + MAX_FILE);
      }
      ByteBuffer data = r.getData().asReadOnlyByteBuffer();
      while (data.hasRemaining()) {
        out.write(data);
      }
      // Durable before the reply: the data, and the file's size and metadata with it.
      out.force(true);
      size = out.size();
    } catch (FileAlreadyExistsException e) {
      throw new Failure(Code.ALREADY_EXISTS, quote(f) + " exists");
    }
    if (!f.exists()) {
      // A new file is durable only once its directory entry is.
      syncDirectory(f.path().getParent());
    }
    return WriteResponse.newBuilder().setSize(size).build();
  }

  private StatResponse stat(Call call, StatRequest r) throws IOException {
    Resolved f = resolve(root(call.caller()), r.getPath());
    if (!f.exists()) {
      throw notFound(f);
    }
    String name = f.text().substring(f.text().lastIndexOf('/') + 1);
    return StatResponse.newBuilder().setEntry(entry(name, f.attributes())).build();
  }

  private ListPage list(Call call, ListRequest r) throws IOException {
    Path root = root(call.caller());
    int pageSize = (int) Check.range("page_size", r.getPageSize(), 0, MAX_PAGE);
    Resolved f = resolve(root, r.getPath());
    if (!f.exists()) {
      throw notFound(f);
    }
    if (!f.attributes().isDirectory()) {
      throw Failure.precondition(quote(f) + " is not a directory");
    }
    var entries = new ArrayList<Entry>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(f.path())) {
      for (Path p : dir) {
        if (entries.size() == MAX_LIST) {
          throw new Failure(
              Code.RESOURCE_EXHAUSTED, quote(f) + " has more than " + MAX_LIST + " entries");
        }
        try {
          var attributes = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
          entries.add(entry(p.getFileName().toString(), attributes));
        } catch (NoSuchFileException e) {
          // Deleted while listing: it is no longer there to list.
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
    Path root = root(call.caller());
    Resolved f = resolve(root, r.getPath());
    if (f.path().equals(root)) {
      throw Failure.invalid("path: the sandbox itself cannot be deleted");
    }
    if (!f.exists()) {
      return DeleteResponse.getDefaultInstance();
    }
    try {
      Files.delete(f.path());
    } catch (DirectoryNotEmptyException e) {
      throw Failure.precondition(quote(f) + " is a directory that is not empty");
    } catch (NoSuchFileException e) {
      return DeleteResponse.getDefaultInstance();
    }
    syncDirectory(f.path().getParent());
    return DeleteResponse.newBuilder().setFound(true).build();
  }

  private MkdirResponse mkdir(Call call, MkdirRequest r) throws IOException {
    Resolved f = resolve(root(call.caller()), r.getPath());
    if (f.exists()) {
      if (!f.attributes().isDirectory()) {
        throw new Failure(Code.ALREADY_EXISTS, quote(f) + " exists and is not a directory");
      }
      return MkdirResponse.getDefaultInstance();
    }
    try {
      if (r.getParents()) {
        // Safe: resolve() found no link among the parts that exist; the rest is made here.
        Files.createDirectories(f.path());
      } else {
        Files.createDirectory(f.path());
      }
    } catch (NoSuchFileException e) {
      throw new Failure(Code.NOT_FOUND, "the parent of " + quote(f) + " does not exist");
    } catch (FileAlreadyExistsException e) {
      throw new Failure(Code.ALREADY_EXISTS, quote(f) + " exists and is not a directory");
    }
    syncDirectory(f.path().getParent());
    return MkdirResponse.newBuilder().setCreated(true).build();
  }

  // ---- The sandbox ----

  private Path root(Caller caller) {
    Path root = grants.getOrDefault(caller.app(), Map.of()).get(caller.program());
    if (root == null) {
      throw new Failure(
          Code.PERMISSION_DENIED,
          "program '"
              + caller.program()
              + "' has no files directory; grant one in its"
              + " manifest, e.g. files = \""
              + caller.program()
              + "\"");
    }
    return root;
  }

  /**
   * Checks {@code text} as a path in the sandbox {@code root} and reads what is there without
   * following links.
   *
   * @throws Failure PERMISSION_DENIED for a path that would leave the sandbox, INVALID_ARGUMENT for
   *     a malformed one, FAILED_PRECONDITION if a parent is a file
   */
  private static Resolved resolve(Path root, String text) throws IOException {
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
      return new Resolved("", root, Files.readAttributes(root, BasicFileAttributes.class));
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
    Path path = root;
    BasicFileAttributes attributes = null;
    for (int i = 0; i < segments.length; i++) {
      try {
        path = path.resolve(segments[i]);
      } catch (InvalidPathException e) {
        throw Failure.invalid(
            "path: '"
                + Check.printable(text)
                + "' cannot be a file name on"
                + " this host: "
                + e.getReason());
      }
      try {
        attributes = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
      } catch (NoSuchFileException e) {
        // The rest does not exist either: nothing more to check, and nothing to follow.
        attributes = null;
        for (int j = i + 1; j < segments.length; j++) {
          path = path.resolve(segments[j]);
        }
        break;
      }
      if (attributes.isSymbolicLink()) {
        throw denied(text, "goes through a symbolic link, which the file service never follows");
      }
      if (i < segments.length - 1 && !attributes.isDirectory()) {
        throw Failure.precondition("'" + Check.printable(text) + "': a parent is not a directory");
      }
    }
    if (!path.normalize().startsWith(root)) {
      // Unreachable after the checks above; kept as the last line of defence.
      throw denied(text, "leads outside the program's directory");
    }
    return new Resolved(text, path, attributes);
  }

  /** Opens a checked file; a link swapped in since the check is refused, not followed. */
  private static FileChannel open(Resolved f, OpenOption... options) throws IOException {
    var all = new ArrayList<>(List.of(options));
    all.add(NOFOLLOW);
    try {
      return FileChannel.open(f.path(), all.toArray(OpenOption[]::new));
    } catch (NoSuchFileException e) {
      throw new Failure(
          Code.NOT_FOUND,
          f.exists()
              ? quote(f) + " no longer exists"
              : "the parent of " + quote(f) + " does not exist");
    } catch (FileSystemException e) {
      if (e instanceof FileAlreadyExistsException) {
        throw e;
      }
      // ELOOP: O_NOFOLLOW met a link.
      if (Files.isSymbolicLink(f.path())) {
        throw denied(f.text(), "is a symbolic link, which the file service never follows");
      }
      throw e;
    }
  }

  private static void requireFile(Resolved f) {
    if (!f.exists()) {
      throw notFound(f);
    }
    if (!f.attributes().isRegularFile()) {
      throw Failure.precondition(quote(f) + " is not a regular file");
    }
  }

  /** Makes a directory's entries (a new or removed name) durable. */
  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
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

  private static Failure notFound(Resolved f) {
    return new Failure(Code.NOT_FOUND, quote(f) + " does not exist");
  }

  private static Failure denied(String path, String why) {
    return new Failure(Code.PERMISSION_DENIED, "path: '" + Check.printable(path) + "' " + why);
  }

  /** The guest's own path, never the host's: where the sandbox lies is not the guest's business. */
  private static String quote(Resolved f) {
    return f.text().isEmpty() ? "the program's directory" : "'" + Check.printable(f.text()) + "'";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
