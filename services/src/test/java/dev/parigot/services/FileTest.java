package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.proto.FileProto.Chunk;
import dev.parigot.services.proto.FileProto.DeleteRequest;
import dev.parigot.services.proto.FileProto.DeleteResponse;
import dev.parigot.services.proto.FileProto.Entry;
import dev.parigot.services.proto.FileProto.Kind;
import dev.parigot.services.proto.FileProto.ListPage;
import dev.parigot.services.proto.FileProto.ListRequest;
import dev.parigot.services.proto.FileProto.MkdirRequest;
import dev.parigot.services.proto.FileProto.MkdirResponse;
import dev.parigot.services.proto.FileProto.Mode;
import dev.parigot.services.proto.FileProto.ReadRequest;
import dev.parigot.services.proto.FileProto.StatRequest;
import dev.parigot.services.proto.FileProto.StatResponse;
import dev.parigot.services.proto.FileProto.WriteRequest;
import dev.parigot.services.proto.FileProto.WriteResponse;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** parigot.file.v1.File through the Provider SPI: each method, each error, and the sandbox. */
class FileTest {
  @TempDir Path dir;
  Services services;

  /** Program main of app "app": granted "main". */
  Client file;

  Path root;

  /** Outside every sandbox: what an escape would reach. */
  Path secret;

  @BeforeEach
  void open() throws Exception {
    Manifest m =
        Manifest.parse(
            """
            app = "app"
            data_dir = "data"
            [program.main]
            wasm = "main.wasm"
            role = "main"
            requires = ["parigot.file.v1.File"]
            files = "main"
            [program.other]
            wasm = "other.wasm"
            role = "main"
            requires = ["parigot.file.v1.File"]
            files = "other"
            [program.bare]
            wasm = "bare.wasm"
            role = "main"
            requires = ["parigot.file.v1.File"]
            """,
            dir.resolve("app.toml"));
    services = new Services(dir.resolve("data"), new FakeTime(), List.of(m));
    file = services.file();
    root = dir.resolve("data/files/main");
    secret = dir.resolve("secret.txt");
    Files.writeString(secret, "top secret");
  }

  @AfterEach
  void close() {
    services.close();
  }

  private WriteResponse write(String path, Mode mode, String data) {
    return file.unary("Write", writeRequest(path, mode, data), WriteResponse.parser());
  }

  private static WriteRequest writeRequest(String path, Mode mode, String data) {
    return WriteRequest.newBuilder()
        .setPath(path)
        .setMode(mode)
        .setData(ByteString.copyFromUtf8(data))
        .build();
  }

  /** Reads a whole stream: the concatenated chunks, checking each chunk's offset. */
  private byte[] read(ReadRequest r) {
    var call = file.call("Read", r);
    var out = new ByteArrayOutputStream();
    long at = r.getOffset();
    while (true) {
      Client.Answer a = call.next();
      assertThat(a.kind()).as(a.text()).isIn("PARTIAL", "END");
      Chunk c = parse(a);
      assertThat(c.getOffset()).isEqualTo(at);
      if (a.kind().equals("END")) {
        assertThat(c.getData().isEmpty()).isTrue();
        return out.toByteArray();
      }
      assertThat(c.getData().isEmpty()).isFalse();
      out.writeBytes(c.getData().toByteArray());
      at += c.getData().size();
    }
  }

  private static Chunk parse(Client.Answer a) {
    try {
      return Chunk.parseFrom(a.payload());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private List<Entry> list(String path, int pageSize) {
    var call =
        file.call("List", ListRequest.newBuilder().setPath(path).setPageSize(pageSize).build());
    var entries = new ArrayList<Entry>();
    while (true) {
      Client.Answer a = call.next();
      ListPage page;
      try {
        page = ListPage.parseFrom(a.payload());
      } catch (Exception e) {
        throw new AssertionError(a.text(), e);
      }
      if (a.kind().equals("END")) {
        assertThat(page.getEntriesCount()).isZero();
        return entries;
      }
      assertThat(a.kind()).isEqualTo("PARTIAL");
      assertThat(page.getEntriesCount()).isBetween(1, pageSize == 0 ? 100 : pageSize);
      entries.addAll(page.getEntriesList());
    }
  }

  private String error(String method, com.google.protobuf.Message request, Code code) {
    return file.call(method, request).error(code);
  }

  // ---- The methods ----

  @Test
  void methodNumbersFollowDeclarationOrder() {
    assertThat(List.of("Read", "Write", "Stat", "List", "Delete", "Mkdir"))
        .extracting(file::method)
        .containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void aWrittenFileIsOnDiskInTheProgramsDirectoryAndReadsBack() throws Exception {
    assertThat(write("notes.txt", Mode.CREATE, "hello").getSize()).isEqualTo(5);
    assertThat(Files.readString(root.resolve("notes.txt"))).isEqualTo("hello");
    assertThat(read(ReadRequest.newBuilder().setPath("notes.txt").build()))
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("hello");
  }

  @Test
  void truncateReplacesAndAppendAdds() {
    write("f", Mode.TRUNCATE, "first");
    assertThat(write("f", Mode.TRUNCATE, "2nd").getSize()).isEqualTo(3);
    assertThat(write("f", Mode.APPEND, "+more").getSize()).isEqualTo(8);
    assertThat(write("g", Mode.APPEND, "new").getSize()).isEqualTo(3);
    assertThat(read(ReadRequest.newBuilder().setPath("f").build()))
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("2nd+more");
  }

  @Test
  void createRefusesAnExistingFile() {
    write("f", Mode.CREATE, "one");
    assertThat(error("Write", writeRequest("f", Mode.CREATE, "two"), Code.ALREADY_EXISTS))
        .isEqualTo("'f' exists");
  }

  @Test
  void aWriteNeedsAModeAndAtMostOneMib() {
    assertThat(error("Write", writeRequest("f", Mode.MODE_UNSPECIFIED, "x"), Code.INVALID_ARGUMENT))
        .startsWith("mode: 0 is not a mode");
    String big = "x".repeat(FileService.MAX_WRITE + 1);
    assertThat(error("Write", writeRequest("f", Mode.CREATE, big), Code.INVALID_ARGUMENT))
        .isEqualTo("data: 1048577 bytes; at most 1048576");
  }

  @Test
  void aFileStopsGrowingAtItsLimit() throws Exception {
    // A sparse file just under the limit: the next append would cross it.
    try (var f = new java.io.RandomAccessFile(root.resolve("big").toFile(), "rw")) {
      f.setLength(FileService.MAX_FILE - 2);
    }
    write("big", Mode.APPEND, "ab");
    assertThat(error("Write", writeRequest("big", Mode.APPEND, "c"), Code.RESOURCE_EXHAUSTED))
        .contains("at most " + FileService.MAX_FILE);
    assertThat(Files.size(root.resolve("big"))).isEqualTo(FileService.MAX_FILE);
  }

  @Test
  void aWriteIntoAMissingDirectoryIsNotFoundAndOntoADirectoryIsAPrecondition() {
    assertThat(error("Write", writeRequest("no/f", Mode.CREATE, "x"), Code.NOT_FOUND))
        .isEqualTo("the parent of 'no/f' does not exist");
    file.unary("Mkdir", MkdirRequest.newBuilder().setPath("d").build(), MkdirResponse.parser());
    assertThat(error("Write", writeRequest("d", Mode.TRUNCATE, "x"), Code.FAILED_PRECONDITION))
        .isEqualTo("'d' is not a regular file");
    assertThat(error("Write", writeRequest("", Mode.TRUNCATE, "x"), Code.INVALID_ARGUMENT))
        .isEqualTo("path: required");
  }

  @Test
  void readStreamsChunksFromAnOffsetForALength() {
    var data = new byte[300_000];
    new Random(1).nextBytes(data);
    file.unary(
        "Write",
        WriteRequest.newBuilder()
            .setPath("blob")
            .setMode(Mode.CREATE)
            .setData(ByteString.copyFrom(data))
            .build(),
        WriteResponse.parser());

    var whole = file.call("Read", ReadRequest.newBuilder().setPath("blob").build());
    int partials = 0;
    for (Client.Answer a = whole.next(); a.kind().equals("PARTIAL"); a = whole.next()) {
      assertThat(parse(a).getData().size()).isLessThanOrEqualTo(FileService.DEFAULT_CHUNK);
      partials++;
    }
    assertThat(partials).isEqualTo(5); // 300000 bytes in 65536-byte chunks

    byte[] part =
        read(
            ReadRequest.newBuilder()
                .setPath("blob")
                .setOffset(1000)
                .setLength(5000)
                .setChunkBytes(1024)
                .build());
    assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 6000));
    assertThat(read(ReadRequest.newBuilder().setPath("blob").setOffset(299_990).build()))
        .hasSize(10);
    assertThat(read(ReadRequest.newBuilder().setPath("blob").setOffset(400_000).build())).isEmpty();
  }

  @Test
  void aReadStopsWhenItsCallerTakesNoMoreChunks() throws Exception {
    file.unary(
        "Write",
        WriteRequest.newBuilder()
            .setPath("blob")
            .setMode(Mode.CREATE)
            .setData(ByteString.copyFrom(new byte[100_000]))
            .build(),
        WriteResponse.parser());
    // A caller whose queue is full: the kernel refuses every partial.
    var call = new Client.Call();
    call.accepting = false;
    call.cancellation =
        file.provider.open(
            file.caller,
            file.method("Read"),
            ReadRequest.newBuilder().setPath("blob").setChunkBytes(1024).build().toByteArray(),
            call);
    assertThat(call.quietFor(300)).isTrue();
  }

  @Test
  void readRefusesBadRangesAndWhatIsNotAFile() {
    write("f", Mode.CREATE, "x");
    file.unary("Mkdir", MkdirRequest.newBuilder().setPath("d").build(), MkdirResponse.parser());
    assertThat(
            error(
                "Read",
                ReadRequest.newBuilder().setPath("f").setOffset(-1).build(),
                Code.INVALID_ARGUMENT))
        .startsWith("offset:");
    assertThat(
            error(
                "Read",
                ReadRequest.newBuilder().setPath("f").setLength(-1).build(),
                Code.INVALID_ARGUMENT))
        .startsWith("length:");
    assertThat(
            error(
                "Read",
                ReadRequest.newBuilder()
                    .setPath("f")
                    .setChunkBytes(FileService.MAX_CHUNK + 1)
                    .build(),
                Code.INVALID_ARGUMENT))
        .startsWith("chunk_bytes:");
    assertThat(error("Read", ReadRequest.newBuilder().setPath("nope").build(), Code.NOT_FOUND))
        .isEqualTo("'nope' does not exist");
    assertThat(
            error("Read", ReadRequest.newBuilder().setPath("d").build(), Code.FAILED_PRECONDITION))
        .isEqualTo("'d' is not a regular file");
    assertThat(
            error(
                "Read", ReadRequest.newBuilder().setPath("f/x").build(), Code.FAILED_PRECONDITION))
        .isEqualTo("'f/x': a parent is not a directory");
  }

  @Test
  void statDescribesFilesDirectoriesAndTheSandbox() {
    write("f", Mode.CREATE, "four");
    file.unary("Mkdir", MkdirRequest.newBuilder().setPath("d").build(), MkdirResponse.parser());
    Entry f =
        file.unary("Stat", StatRequest.newBuilder().setPath("f").build(), StatResponse.parser())
            .getEntry();
    assertThat(f.getName()).isEqualTo("f");
    assertThat(f.getKind()).isEqualTo(Kind.FILE);
    assertThat(f.getSize()).isEqualTo(4);
    assertThat(f.getModifiedUnixNanos()).isPositive();
    assertThat(
            file.unary("Stat", StatRequest.newBuilder().setPath("d").build(), StatResponse.parser())
                .getEntry()
                .getKind())
        .isEqualTo(Kind.DIRECTORY);
    Entry self =
        file.unary("Stat", StatRequest.getDefaultInstance(), StatResponse.parser()).getEntry();
    assertThat(self.getName()).isEmpty();
    assertThat(self.getKind()).isEqualTo(Kind.DIRECTORY);
    assertThat(error("Stat", StatRequest.newBuilder().setPath("g").build(), Code.NOT_FOUND))
        .isEqualTo("'g' does not exist");
  }

  @Test
  void listStreamsPagesInNameOrder() {
    for (int i = 0; i < 25; i++) {
      write("f%02d".formatted(24 - i), Mode.CREATE, "x".repeat(i));
    }
    file.unary("Mkdir", MkdirRequest.newBuilder().setPath("sub").build(), MkdirResponse.parser());
    List<Entry> entries = list("", 10);
    assertThat(entries).extracting(Entry::getName).hasSize(26).isSorted().contains("sub");
    assertThat(entries.getFirst().getSize()).isEqualTo(24);
    assertThat(list("sub", 0)).isEmpty();
    assertThat(
            error(
                "List", ListRequest.newBuilder().setPath("f00").build(), Code.FAILED_PRECONDITION))
        .isEqualTo("'f00' is not a directory");
    assertThat(error("List", ListRequest.newBuilder().setPath("none").build(), Code.NOT_FOUND))
        .isEqualTo("'none' does not exist");
    assertThat(
            error(
                "List", ListRequest.newBuilder().setPageSize(1001).build(), Code.INVALID_ARGUMENT))
        .startsWith("page_size:");
  }

  @Test
  void mkdirCreatesDirectoriesWithOrWithoutTheirParents() {
    assertThat(error("Mkdir", MkdirRequest.newBuilder().setPath("a/b").build(), Code.NOT_FOUND))
        .isEqualTo("the parent of 'a/b' does not exist");
    assertThat(
            file.unary(
                    "Mkdir",
                    MkdirRequest.newBuilder().setPath("a/b").setParents(true).build(),
                    MkdirResponse.parser())
                .getCreated())
        .isTrue();
    assertThat(Files.isDirectory(root.resolve("a/b"))).isTrue();
    assertThat(
            file.unary(
                    "Mkdir", MkdirRequest.newBuilder().setPath("a").build(), MkdirResponse.parser())
                .getCreated())
        .isFalse();
    write("a/f", Mode.CREATE, "x");
    assertThat(
            error("Mkdir", MkdirRequest.newBuilder().setPath("a/f").build(), Code.ALREADY_EXISTS))
        .isEqualTo("'a/f' exists and is not a directory");
  }

  @Test
  void deleteRemovesFilesAndEmptyDirectoriesOnly() {
    file.unary("Mkdir", MkdirRequest.newBuilder().setPath("d").build(), MkdirResponse.parser());
    write("d/f", Mode.CREATE, "x");
    assertThat(
            error(
                "Delete",
                DeleteRequest.newBuilder().setPath("d").build(),
                Code.FAILED_PRECONDITION))
        .isEqualTo("'d' is a directory that is not empty");
    assertThat(
            file.unary(
                    "Delete",
                    DeleteRequest.newBuilder().setPath("d/f").build(),
                    DeleteResponse.parser())
                .getFound())
        .isTrue();
    assertThat(
            file.unary(
                    "Delete",
                    DeleteRequest.newBuilder().setPath("d").build(),
                    DeleteResponse.parser())
                .getFound())
        .isTrue();
    assertThat(
            file.unary(
                    "Delete",
                    DeleteRequest.newBuilder().setPath("d").build(),
                    DeleteResponse.parser())
                .getFound())
        .isFalse();
    assertThat(Files.exists(root.resolve("d"))).isFalse();
    assertThat(error("Delete", DeleteRequest.getDefaultInstance(), Code.INVALID_ARGUMENT))
        .isEqualTo("path: the sandbox itself cannot be deleted");
    assertThat(Files.isDirectory(root)).isTrue();
  }

  // ---- Grants ----

  @Test
  void aProgramWithoutAGrantIsDeniedEveryMethod() {
    Client bare = file.as(new Caller("app", "bare", 9));
    Client otherApp = file.as(new Caller("elsewhere", "main", 10));
    for (Client c : List.of(bare, otherApp)) {
      for (var m : c.service.getMethods()) {
        var request = com.google.protobuf.DynamicMessage.getDefaultInstance(m.getInputType());
        assertThat(c.call(m.getName(), request).error(Code.PERMISSION_DENIED))
            .startsWith("program '" + c.caller.program() + "' has no files directory");
      }
    }
    assertThat(root.getParent().resolve("bare")).doesNotExist();
  }

  @Test
  void programsSeeOnlyTheirOwnDirectory() {
    write("mine", Mode.CREATE, "main's");
    Client other = file.as(new Caller("app", "other", 8));
    other.unary("Write", writeRequest("theirs", Mode.CREATE, "other's"), WriteResponse.parser());
    assertThat(list("", 0)).extracting(Entry::getName).containsExactly("mine");
    assertThat(
            other
                .call("Stat", StatRequest.newBuilder().setPath("mine").build())
                .error(Code.NOT_FOUND))
        .isEqualTo("'mine' does not exist");
    assertThat(root.resolveSibling("other").resolve("theirs")).hasContent("other's");
  }

  // ---- Paths that would leave the sandbox, and malformed ones ----

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "..", "../secret.txt", "a/../../x", "a/..", "../main/f"})
  void absolutePathsAndDotDotAreDenied(String path) throws Exception {
    file.unary("Mkdir", MkdirRequest.newBuilder().setPath("a").build(), MkdirResponse.parser());
    assertThat(
            error("Read", ReadRequest.newBuilder().setPath(path).build(), Code.PERMISSION_DENIED))
        .startsWith("path: '" + path + "' ");
    assertThat(error("Write", writeRequest(path, Mode.TRUNCATE, "pwned"), Code.PERMISSION_DENIED))
        .startsWith("path: '" + path + "' ");
    assertThat(
            error(
                "Delete", DeleteRequest.newBuilder().setPath(path).build(), Code.PERMISSION_DENIED))
        .startsWith("path: '" + path + "' ");
    assertThat(secret).hasContent("top secret");
  }

  @Test
  void aSymlinkInsideTheSandboxPointingOutsideIsNeverFollowed() throws Exception {
    Files.createSymbolicLink(root.resolve("link"), secret);
    for (var request :
        List.of(
            new Object[] {"Read", ReadRequest.newBuilder().setPath("link").build()},
            new Object[] {"Write", writeRequest("link", Mode.TRUNCATE, "pwned")},
            new Object[] {"Write", writeRequest("link", Mode.APPEND, "pwned")},
            new Object[] {"Stat", StatRequest.newBuilder().setPath("link").build()},
            new Object[] {"Delete", DeleteRequest.newBuilder().setPath("link").build()})) {
      assertThat(
              error(
                  (String) request[0],
                  (com.google.protobuf.Message) request[1],
                  Code.PERMISSION_DENIED))
          .isEqualTo(
              "path: 'link' goes through a symbolic link, which"
                  + " the file service never follows");
    }
    assertThat(secret).hasContent("top secret");
    // Listed for what it is, not for what it points at.
    assertThat(list("", 0))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.getName()).isEqualTo("link");
          assertThat(e.getKind()).isEqualTo(Kind.OTHER);
        });
  }

  @Test
  void aSymlinkedParentDirectoryIsRefused() throws Exception {
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Files.writeString(outside.resolve("f"), "outside");
    Files.createSymbolicLink(root.resolve("sub"), outside);
    assertThat(
            error(
                "Read", ReadRequest.newBuilder().setPath("sub/f").build(), Code.PERMISSION_DENIED))
        .contains("symbolic link");
    assertThat(error("Write", writeRequest("sub/new", Mode.CREATE, "x"), Code.PERMISSION_DENIED))
        .contains("symbolic link");
    assertThat(
            error("List", ListRequest.newBuilder().setPath("sub").build(), Code.PERMISSION_DENIED))
        .contains("symbolic link");
    assertThat(
            error(
                "Mkdir",
                MkdirRequest.newBuilder().setPath("sub/x/y").setParents(true).build(),
                Code.PERMISSION_DENIED))
        .contains("symbolic link");
    assertThat(outside.resolve("new")).doesNotExist();
    assertThat(outside.resolve("x")).doesNotExist();
    assertThat(outside.resolve("f")).hasContent("outside");
  }

  @Test
  void aSymlinkToASiblingSandboxIsRefusedToo() throws Exception {
    Files.createDirectories(root.resolveSibling("other"));
    Files.writeString(root.resolveSibling("other").resolve("theirs"), "other's");
    Files.createSymbolicLink(root.resolve("peek"), Path.of("../other"));
    assertThat(
            error(
                "Read",
                ReadRequest.newBuilder().setPath("peek/theirs").build(),
                Code.PERMISSION_DENIED))
        .contains("symbolic link");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\0b", "a\nb", "a//b", "a/", "./a", "a/./b", "\u007f"})
  void malformedPathsAreInvalid(String escaped) {
    String path = escaped.translateEscapes();
    assertThat(error("Write", writeRequest(path, Mode.CREATE, "x"), Code.INVALID_ARGUMENT))
        .startsWith("path: ");
    assertThat(error("Stat", StatRequest.newBuilder().setPath(path).build(), Code.INVALID_ARGUMENT))
        .startsWith("path: ");
  }

  @Test
  void overlyLongNamesAndPathsAreInvalid() {
    String longSegment = "n".repeat(FileService.MAX_SEGMENT + 1);
    assertThat(error("Write", writeRequest(longSegment, Mode.CREATE, "x"), Code.INVALID_ARGUMENT))
        .isEqualTo("path: a segment of 256 bytes; at most 255");
    String dirs = ("d".repeat(100) + "/").repeat(10);
    assertThat(
            error(
                "Write",
                writeRequest(dirs + "f".repeat(15), Mode.CREATE, "x"),
                Code.INVALID_ARGUMENT))
        .isEqualTo("path: 1025 bytes; at most 1024");
    // 1024 bytes pass the check; the directories are missing.
    error("Write", writeRequest(dirs + "f".repeat(14), Mode.CREATE, "x"), Code.NOT_FOUND);
    String deep = "d/".repeat(FileService.MAX_DEPTH) + "f";
    assertThat(error("Stat", StatRequest.newBuilder().setPath(deep).build(), Code.INVALID_ARGUMENT))
        .isEqualTo("path: 33 segments; at most 32");
    // The longest allowed name works.
    write("n".repeat(FileService.MAX_SEGMENT), Mode.CREATE, "x");
  }
}
