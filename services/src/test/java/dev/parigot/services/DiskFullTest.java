package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.KvProto.GetResponse;
import dev.parigot.services.proto.KvProto.PutRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk is answered with RESOURCE_EXHAUSTED, as a quota is, never as an internal error:
 * SQLite made to run out of room by its own page limit, and the kernel's ENOSPC from /dev/full.
 */
class DiskFullTest {
  @TempDir Path dir;
  final ThreadFactory threads = Thread.ofVirtual().name("test-service-", 1).factory();

  @Test
  void aStoreThatIsFullAnswersPutsWithResourceExhausted() throws Exception {
    try (Store store = Store.open(dir.resolve("store.db"), true)) {
      var kv = new Kv(store, new DiskQuotas());
      // SQLite refuses to grow the database past this many pages with SQLITE_FULL, as it does
      // when the disk is full.
      store.tx(c -> {
        try (var s = c.createStatement()) {
          s.execute("PRAGMA max_page_count = 300");
        }
        return null;
      });
      var client =
          new Client(
              kv.dispatcher(threads),
              KvProto.getDescriptor().findServiceByName("KV"),
              Services.CALLER);
      var value = ByteString.copyFrom(new byte[Kv.MAX_VALUE]);
      String error = null;
      int put = 0;
      for (; put < 10 && error == null; put++) {
        Client.Answer a =
            client
                .call(
                    "Put",
                    PutRequest.newBuilder()
                        .setBucket("b")
                        .setKey("k" + put)
                        .setValue(value)
                        .build())
                .next();
        if (a.kind().equals("ERROR")) {
          assertThat(Code.forNumber(a.code())).as(a.text()).isEqualTo(Code.RESOURCE_EXHAUSTED);
          error = a.text();
        }
      }
      assertThat(error).isEqualTo("parigot.kv.v1.KV.Put: the disk is full");
      assertThat(put).isGreaterThan(1);
      // What was written before is still there.
      assertThat(
              client
                  .unary(
                      "Get",
                      GetRequest.newBuilder().setBucket("b").setKey("k0").build(),
                      GetResponse.parser())
                  .getEntry()
                  .getValue()
                  .size())
          .isEqualTo(Kv.MAX_VALUE);
    }
  }

  @Test
  void noSpaceLeftOnTheDeviceEndsACallWithResourceExhausted() throws Exception {
    IOException full;
    try (var out = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
      full = catchThrowableOfType(IOException.class, () -> out.write(ByteBuffer.allocate(10)));
    }
    assertThat(DiskFull.is(full)).isTrue();
    var replies = new Client.Call();
    var call = new Call(Services.CALLER, "parigot.file.v1.File.Write", replies, threads);
    Dispatcher.failed(call, new IllegalStateException("wrapped", full));
    assertThat(replies.error(Code.RESOURCE_EXHAUSTED))
        .isEqualTo("parigot.file.v1.File.Write: the disk is full");

    // Any other I/O error is still the kernel's own, with its trace in the log.
    var other = new Client.Call();
    var second = new Call(Services.CALLER, "parigot.file.v1.File.Write", other, threads);
    IOException denied = new IOException("Permission denied");
    assertThat(DiskFull.is(denied)).isFalse();
    Dispatcher.failed(second, denied);
    assertThat(other.error(Code.INTERNAL)).contains("internal error");
  }
}
