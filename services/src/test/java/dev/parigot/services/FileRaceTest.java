package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Manifest;
import dev.parigot.services.proto.FileProto.Chunk;
import dev.parigot.services.proto.FileProto.DeleteRequest;
import dev.parigot.services.proto.FileProto.ListPage;
import dev.parigot.services.proto.FileProto.ListRequest;
import dev.parigot.services.proto.FileProto.MkdirRequest;
import dev.parigot.services.proto.FileProto.Mode;
import dev.parigot.services.proto.FileProto.ReadRequest;
import dev.parigot.services.proto.FileProto.StatRequest;
import dev.parigot.services.proto.FileProto.WriteRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file sandbox against a host process racing it: a directory inside the sandbox swapped for a
 * symbolic link to a directory outside, over and over, while the service reads through it.
 */
class FileRaceTest {
  static final int MIN_READS = 3000;
  static final int MAX_READS = 30_000;

  @TempDir Path dir;
  Services services;
  Client file;
  Path root;
  Path outside;

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
            """,
            dir.resolve("app.toml"));
    services = new Services(dir.resolve("data"), new FakeTime(), List.of(m));
    file = services.file();
    root = dir.resolve("data/files/main");
    Files.createDirectories(root.resolve("inner"));
    Files.writeString(root.resolve("inner/data.txt"), "inside");
    outside = Files.createDirectory(dir.resolve("outside"));
    Files.writeString(outside.resolve("data.txt"), "SECRET from outside");
    Files.writeString(outside.resolve("outside-only.txt"), "SECRET too");
  }

  @AfterEach
  void close() {
    services.close();
  }

  /** One read of inner/data.txt: "inside", "SECRET ...", or "ERROR <code>". */
  private String readOnce() {
    var call = file.call("Read", ReadRequest.newBuilder().setPath("inner/data.txt").build());
    var out = new StringBuilder();
    while (true) {
      Client.Answer a = call.next();
      if (a.kind().equals("ERROR")) {
        return "ERROR " + Code.forNumber(a.code());
      }
      try {
        out.append(Chunk.parseFrom(a.payload()).getData().toString(StandardCharsets.UTF_8));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      if (a.kind().equals("END")) {
        return out.toString();
      }
    }
  }

  /**
   * Runs {@code attempt} over and over while another thread swaps {@code inner} for a link to
   * {@code outside} and back, until both sides were seen (at least {@link #MIN_READS} attempts, at
   * most {@link #MAX_READS}); returns how many attempts ended how.
   */
  private Map<String, Integer> race(java.util.function.Supplier<String> attempt) throws Exception {
    var stop = new AtomicBoolean();
    var swaps = new AtomicLong();
    Path inner = root.resolve("inner");
    Path held = root.resolve("held");
    Thread swapper =
        Thread.ofPlatform()
            .start(() -> {
              // Bounded: stops when told, or after this many swaps whatever happens.
              for (int i = 0; i < 5_000_000 && !stop.get(); i++) {
                try {
                  Files.move(inner, held, StandardCopyOption.ATOMIC_MOVE);
                  Files.createSymbolicLink(inner, outside);
                  Files.delete(inner);
                  Files.move(held, inner, StandardCopyOption.ATOMIC_MOVE);
                  swaps.incrementAndGet();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            });
    Map<String, Integer> seen = new TreeMap<>();
    try {
      for (int i = 0; i < MAX_READS; i++) {
        seen.merge(attempt.get(), 1, Integer::sum);
        if (i + 1 >= MIN_READS && seen.size() > 1) {
          break;
        }
      }
    } finally {
      stop.set(true);
      swapper.join();
    }
    assertThat(swaps.get()).isPositive();
    return seen;
  }

  @Test
  void aDirectorySwappedForALinkToTheOutsideIsNeverReadThrough() throws Exception {
    Map<String, Integer> seen = race(this::readOnce);
    assertThat(seen).as("reads by outcome").doesNotContainKey("SECRET from outside");
    // The race happened: reads went through while the directory was there, and others met the
    // link or the gap, each answered with the documented error.
    assertThat(seen).containsKey("inside");
    assertThat(seen.keySet())
        .hasSizeGreaterThan(1)
        .allMatch(k -> List.of("inside", "ERROR PERMISSION_DENIED", "ERROR NOT_FOUND").contains(k));
    assertThat(Files.readString(outside.resolve("data.txt"))).isEqualTo("SECRET from outside");
  }

  @Test
  void noOperationThroughASwappedDirectoryReachesTheOutside() throws Exception {
    Map<String, Integer> seen =
        race(() -> {
          var outcomes = new StringBuilder();
          outcomes.append(
              answer(
                  file.call(
                      "Stat", StatRequest.newBuilder().setPath("inner/outside-only.txt").build())));
          outcomes
              .append(' ')
              .append(answer(file.call("List", ListRequest.newBuilder().setPath("inner").build())));
          outcomes
              .append(' ')
              .append(
                  answer(
                      file.call(
                          "Write",
                          WriteRequest.newBuilder()
                              .setPath("inner/new.txt")
                              .setMode(Mode.TRUNCATE)
                              .setData(ByteString.copyFromUtf8("guest"))
                              .build())));
          outcomes
              .append(' ')
              .append(
                  answer(
                      file.call("Mkdir", MkdirRequest.newBuilder().setPath("inner/sub").build())));
          outcomes
              .append(' ')
              .append(
                  answer(
                      file.call(
                          "Delete", DeleteRequest.newBuilder().setPath("inner/sub").build())));
          outcomes
              .append(' ')
              .append(
                  answer(
                      file.call(
                          "Delete", DeleteRequest.newBuilder().setPath("inner/new.txt").build())));
          return outcomes.toString();
        });
    // Nothing outside was seen, made, changed or removed.
    assertThat(seen.keySet()).noneMatch(k -> k.contains("outside-only"));
    try (var left = Files.list(outside)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("data.txt", "outside-only.txt");
    }
    assertThat(Files.readString(outside.resolve("data.txt"))).isEqualTo("SECRET from outside");
    // Some operations went through inside, others met the link or the gap; none failed otherwise.
    assertThat(seen.keySet())
        .as("rounds by outcome: %s", seen)
        .anyMatch(k -> k.contains("END "))
        .anyMatch(k -> k.contains("ERROR PERMISSION_DENIED"))
        .noneMatch(k -> k.contains("INTERNAL") || k.contains("UNAVAILABLE"));
  }

  /** How a call ended: "END" and, for a listing, the names; else "ERROR <code>". */
  private static String answer(Client.Call call) {
    var names = new StringBuilder();
    while (true) {
      Client.Answer a = call.next();
      if (a.kind().equals("ERROR")) {
        return "ERROR " + Code.forNumber(a.code());
      }
      try {
        // Stat's answer parses as a page of its one entry.
        ListPage.parseFrom(a.payload())
            .getEntriesList()
            .forEach(e -> names.append(e.getName()).append(','));
      } catch (Exception e) {
        // Another method's answer, which names nothing.
      }
      if (a.kind().equals("END")) {
        return "END " + names;
      }
    }
  }

  @Test
  void withoutSecureDirectoryHandlesNoSandboxIsGranted() throws Exception {
    Path zip = dir.resolve("z.zip");
    try (var fs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Path inZip = Files.createDirectory(fs.getPath("/sandbox"));
      assertThatThrownBy(() -> FileService.secure(inZip))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("java.nio.file.SecureDirectoryStream")
          .hasMessageContaining("it grants no files directory without them");
    }
  }
}
