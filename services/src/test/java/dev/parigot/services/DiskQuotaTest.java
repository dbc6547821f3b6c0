package dev.parigot.services;

import static dev.parigot.kernel.testing.ManifestToml.program;
import static dev.parigot.kernel.testing.ManifestToml.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Manifest;
import dev.parigot.kernel.ManifestException;
import dev.parigot.services.proto.FileProto.DeleteRequest;
import dev.parigot.services.proto.FileProto.DeleteResponse;
import dev.parigot.services.proto.FileProto.MkdirRequest;
import dev.parigot.services.proto.FileProto.MkdirResponse;
import dev.parigot.services.proto.FileProto.Mode;
import dev.parigot.services.proto.FileProto.WriteRequest;
import dev.parigot.services.proto.FileProto.WriteResponse;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.KvProto.PutRequest;
import dev.parigot.services.proto.KvProto.PutResponse;
import dev.parigot.services.proto.QueueProto.AckRequest;
import dev.parigot.services.proto.QueueProto.AckResponse;
import dev.parigot.services.proto.QueueProto.Delivery;
import dev.parigot.services.proto.QueueProto.ReceiveRequest;
import dev.parigot.services.proto.QueueProto.SendRequest;
import dev.parigot.services.proto.QueueProto.SendResponse;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Disk quotas: files, kv entries and queue messages charged to their program and app, refused with
 * RESOURCE_EXHAUSTED past the quota, freed when removed, and counted again from the disk and the
 * store when the services start.
 */
class DiskQuotaTest {
  static final int MIB = 1 << 20;

  /** App quota 3 MiB; main's share 2 MiB; other has none of its own. */
  static final String MANIFEST =
      """
      app = "app"
      data_dir = "data"
      [disk]
      max_mib = 3
      [program.main]
      wasm = "main.wasm"
      role = "main"
      files = "main"
      disk_mib = 2
      [program.other]
      wasm = "other.wasm"
      role = "main"
      files = "other"
      """;

  @TempDir Path dir;
  Manifest manifest;
  Services services;
  Client file;
  Client otherFile;

  @BeforeEach
  void open() throws Exception {
    manifest = Manifest.parse(MANIFEST, dir.resolve("app.toml"));
    start();
  }

  private void start() {
    services = new Services(dir.resolve("data"), new FakeTime(), List.of(manifest));
    file = services.file();
    otherFile = file.as(new Caller("app", "other", 8));
  }

  @AfterEach
  void close() {
    services.close();
  }

  private static WriteRequest write(String path, int bytes) {
    return WriteRequest.newBuilder()
        .setPath(path)
        .setMode(Mode.TRUNCATE)
        .setData(ByteString.copyFrom(new byte[bytes]))
        .build();
  }

  private DiskQuotas quotas() {
    return services.services.quotas();
  }

  @Test
  void aProgramStopsAtItsShareAndTheAppAtItsQuota() {
    file.unary("Write", write("a", MIB), WriteResponse.parser());
    file.unary("Write", write("b", MIB), WriteResponse.parser());
    assertThat(quotas().used("app", "main")).isEqualTo(2L * MIB);
    assertThat(file.call("Write", write("c", 1)).error(Code.RESOURCE_EXHAUSTED))
        .isEqualTo(
            "disk quota: program 'main' uses 2097152 bytes of files, kv and queue data and this"
                + " needs 4096 more; its quota is 2097152 bytes (its disk_mib)");
    // Refused before anything was written.
    assertThat(dir.resolve("data/files/main/c")).doesNotExist();

    // other may use what is left of the app's 3 MiB, and no more.
    otherFile.unary("Write", write("x", MIB - 8192), WriteResponse.parser());
    assertThat(otherFile.call("Write", write("y", 8193)).error(Code.RESOURCE_EXHAUSTED))
        .startsWith("disk quota: app 'app' uses 3137536 bytes")
        .endsWith("its quota is 3145728 bytes ([disk] max_mib)");
    otherFile.unary("Write", write("y", 8192), WriteResponse.parser());

    // Removing a file frees it; shrinking one frees the difference.
    file.unary("Delete", DeleteRequest.newBuilder().setPath("a").build(), DeleteResponse.parser());
    file.unary("Write", write("b", 100), WriteResponse.parser());
    assertThat(quotas().used("app", "main")).isEqualTo(4096);
    file.unary("Write", write("c", MIB), WriteResponse.parser());
  }

  @Test
  void appendsAndDirectoriesAreChargedToo() {
    file.unary("Write", write("f", MIB), WriteResponse.parser());
    var append =
        WriteRequest.newBuilder()
            .setPath("f")
            .setMode(Mode.APPEND)
            .setData(ByteString.copyFrom(new byte[MIB]))
            .build();
    file.unary("Write", append, WriteResponse.parser());
    assertThat(file.call("Write", append).error(Code.RESOURCE_EXHAUSTED))
        .contains("program 'main'");
    assertThat(
            file.call("Mkdir", MkdirRequest.newBuilder().setPath("d").build())
                .error(Code.RESOURCE_EXHAUSTED))
        .contains("needs 4096 more");
    assertThat(dir.resolve("data/files/main/d")).doesNotExist();
    file.unary("Delete", DeleteRequest.newBuilder().setPath("f").build(), DeleteResponse.parser());
    file.unary(
        "Mkdir",
        MkdirRequest.newBuilder().setPath("d/e").setParents(true).build(),
        MkdirResponse.parser());
    assertThat(quotas().used("app", "main")).isEqualTo(2 * DiskQuotas.BLOCK);
  }

  @Test
  void kvEntriesAreChargedToTheirLastWriterAndFreedWhenDeleted() {
    Client kv = services.kv();
    Client otherKv = kv.as(new Caller("app", "other", 8));
    var big = ByteString.copyFrom(new byte[Kv.MAX_VALUE]);
    long entry = 1 + Kv.MAX_VALUE + DiskQuotas.ROW;
    kv.unary("Put", put("k", big), PutResponse.parser());
    kv.unary("Put", put("l", big), PutResponse.parser());
    kv.unary("Put", put("m", big), PutResponse.parser());
    assertThat(quotas().used("app", "main")).isEqualTo(3 * entry);
    // A fourth would pass 2 MiB.
    assertThat(kv.call("Put", put("n", big)).error(Code.RESOURCE_EXHAUSTED))
        .contains("program 'main'");
    // Overwriting with the same size costs nothing more.
    kv.unary("Put", put("k", big), PutResponse.parser());
    // Another program that overwrites an entry takes its charge over.
    otherKv.unary("Put", put("k", ByteString.copyFromUtf8("small")), PutResponse.parser());
    assertThat(quotas().used("app", "main")).isEqualTo(2 * entry);
    assertThat(quotas().used("app", "other")).isEqualTo(1 + 5 + DiskQuotas.ROW);
    kv.unary(
        "Delete",
        KvProto.DeleteRequest.newBuilder().setBucket("b").setKey("l").build(),
        KvProto.DeleteResponse.parser());
    assertThat(quotas().used("app", "main")).isEqualTo(entry);
    kv.unary("Put", put("n", big), PutResponse.parser());
  }

  @Test
  void theKvHistoryKeepsAtMostItsBytesOfChanges() {
    Client kv = services.kv();
    var big = ByteString.copyFrom(new byte[Kv.MAX_VALUE]);
    long last = 0;
    // 80 MiB of changes to one key: the entry stays one, the history may not keep them all.
    for (int i = 0; i < 160; i++) {
      last = kv.unary("Put", put("k", big), PutResponse.parser()).getRevision();
    }
    assertThat(quotas().used("app", "main")).isEqualTo(1 + Kv.MAX_VALUE + DiskQuotas.ROW);
    assertThat(
            kv.call(
                    "Watch",
                    KvProto.WatchRequest.newBuilder().setBucket("b").setAfterRevision(1).build())
                .error(Code.FAILED_PRECONDITION))
        .contains("older than the kept history");
    // The newest changes are kept: at least three quarters of the bound.
    var recent =
        kv.call(
            "Watch",
            KvProto.WatchRequest.newBuilder()
                .setBucket("b")
                .setAfterRevision(last - Kv.HISTORY_BYTES / 4 * 3 / Kv.MAX_VALUE + 1)
                .build());
    assertThat(recent.partial(KvProto.Change.parser()).getKind())
        .isEqualTo(KvProto.Change.Kind.LIVE);
    assertThat(recent.partial(KvProto.Change.parser()).getRevision())
        .isEqualTo(last - Kv.HISTORY_BYTES / 4 * 3 / Kv.MAX_VALUE + 2);
    recent.cancel();
  }

  private static PutRequest put(String key, ByteString value) {
    return PutRequest.newBuilder().setBucket("b").setKey(key).setValue(value).build();
  }

  @Test
  void aQueueMessageIsChargedToItsSenderUntilAcked() {
    Client q = services.queue();
    var body = ByteString.copyFrom(new byte[Queues.MAX_BODY]);
    for (int i = 0; i < 3; i++) {
      q.unary("Send", send(body), SendResponse.parser());
    }
    assertThat(q.call("Send", send(body)).error(Code.RESOURCE_EXHAUSTED))
        .contains("program 'main'");
    var receive =
        q.call("Receive", ReceiveRequest.newBuilder().setQueue("jobs").setLimit(1).build());
    Delivery d = receive.partial(Delivery.parser());
    q.unary(
        "Ack",
        AckRequest.newBuilder()
            .setQueue("jobs")
            .setId(d.getId())
            .setAttempt(d.getAttempt())
            .build(),
        AckResponse.parser());
    assertThat(quotas().used("app", "main")).isEqualTo(2 * (Queues.MAX_BODY + DiskQuotas.ROW));
    q.unary("Send", send(body), SendResponse.parser());
  }

  private static SendRequest send(ByteString body) {
    return SendRequest.newBuilder().setQueue("jobs").setBody(body).build();
  }

  @Test
  void filesKvAndQueuesShareTheAppsQuota() {
    otherFile.unary("Write", write("x", MIB), WriteResponse.parser());
    otherFile.unary("Write", write("y", MIB), WriteResponse.parser());
    file.unary("Write", write("a", MIB - 8192), WriteResponse.parser());
    assertThat(
            services
                .kv()
                .call("Put", put("k", ByteString.copyFrom(new byte[Kv.MAX_VALUE])))
                .error(Code.RESOURCE_EXHAUSTED))
        .contains("app 'app'");
    assertThat(
            services
                .queue()
                .call("Send", send(ByteString.copyFrom(new byte[Queues.MAX_BODY])))
                .error(Code.RESOURCE_EXHAUSTED))
        .contains("app 'app'");
  }

  @Test
  void usageIsCountedAgainFromTheDiskAndTheStoreAtStart() throws Exception {
    file.unary("Write", write("a", MIB), WriteResponse.parser());
    file.unary("Mkdir", MkdirRequest.newBuilder().setPath("d").build(), MkdirResponse.parser());
    services.kv().unary("Put", put("k", ByteString.copyFromUtf8("value")), PutResponse.parser());
    services.queue().unary("Send", send(ByteString.copyFromUtf8("job")), SendResponse.parser());
    // What the host put there counts as well, once counted at start.
    Files.write(dir.resolve("data/files/main/d/host"), new byte[5000]);
    long before = quotas().used("app", "main");
    services.close();

    start();
    long counted = before + DiskQuotas.file(5000);
    assertThat(quotas().used("app", "main")).isEqualTo(counted);
    assertThat(quotas().used("app")).isEqualTo(counted);
    assertThat(
            file.call("Write", write("big", (int) (2L * MIB - counted + 1)))
                .error(Code.RESOURCE_EXHAUSTED))
        .contains("program 'main' uses " + counted + " bytes");
  }

  @Test
  void anAppWithoutDiskKeysHasTheDefaultQuota() throws Exception {
    Manifest m = Manifest.parse(program("main", "main"), dir.resolve("b.toml"));
    assertThat(m.section(DiskSection.KEY)).isEmpty();
    assertThat(quotas().spec("a")).isEqualTo(DiskSpec.DEFAULT);
    assertThat(DiskSpec.DEFAULT.appBytes()).isEqualTo(1024L * MIB);
    assertThat(DiskSpec.DEFAULT.programBytes("main")).isEqualTo(1024L * MIB);
    assertThat(manifest.section(DiskSection.KEY))
        .contains(new DiskSpec(3L * MIB, Map.of("main", 2L * MIB)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "max_mib = -1|app.toml:6: disk.max_mib: must be an integer from 1 to 1048576 (MiB), not -1",
        "max_mib = 0|app.toml:6: disk.max_mib: must be an integer from 1 to 1048576 (MiB), not 0",
        "max_mib = 1048577|app.toml:6: disk.max_mib: must be an integer from 1 to 1048576 (MiB),"
            + " not 1048577",
        "max_mib = 9223372036854775807|app.toml:6: disk.max_mib: must be an integer from 1 to"
            + " 1048576 (MiB), not 9223372036854775807",
        "max_mib = \"1G\"|app.toml:6: disk.max_mib: must be an integer from 1 to 1048576 (MiB),"
            + " not \"1G\"",
        "max_gib = 1|app.toml:6: disk.max_gib: unknown key; the keys here are max_mib",
      })
  void badAppQuotasAreRefusedNamingTheKey(String line, String problem) {
    assertThat(problems(program("main", "main") + "[disk]\n" + line + "\n"))
        .containsExactly(problem);
  }

  @Test
  void badProgramSharesAreRefusedNamingTheProgram() {
    assertThat(problems(program("main", "main", "disk_mib = -5")))
        .singleElement()
        .asString()
        .startsWith("app.toml:5: program 'main': disk_mib: must be an integer from 1 to 1048576");
    assertThat(
            problems(
                "app = \"a\"\n[disk]\nmax_mib = 10\n" + table("main", "main", "disk_mib = 11")))
        .containsExactly(
            "app.toml:7: program 'main': disk_mib: 11 MiB is more than the app's quota,"
                + " [disk] max_mib = 10; a program's share is within the app's");
    assertThat(problems(program("main", "main", "disk_mib = 2048")))
        .singleElement()
        .asString()
        .contains("2048 MiB is more than the app's quota, [disk] max_mib = 1024");
    assertThat(problems(program("main", "main") + table("w", "main", "disk = 5")))
        .singleElement()
        .asString()
        .contains("program 'w': disk: unknown key");
  }

  @Test
  void aDiskSpecRefusesQuotasOutOfRange() {
    assertThatThrownBy(() -> new DiskSpec(0, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DiskSpec(MIB, Map.of("p", 2L * MIB)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("program 'p'");
  }

  private List<String> problems(String toml) {
    return catchThrowableOfType(
            ManifestException.class, () -> Manifest.parse(toml, Path.of("app.toml")))
        .problems();
  }
}
