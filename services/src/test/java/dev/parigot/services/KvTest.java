package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
import dev.parigot.services.proto.KvProto.Change;
import dev.parigot.services.proto.KvProto.CompareAndSetRequest;
import dev.parigot.services.proto.KvProto.CompareAndSetResponse;
import dev.parigot.services.proto.KvProto.DeleteRequest;
import dev.parigot.services.proto.KvProto.DeleteResponse;
import dev.parigot.services.proto.KvProto.Entry;
import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.KvProto.GetResponse;
import dev.parigot.services.proto.KvProto.ListPage;
import dev.parigot.services.proto.KvProto.ListRequest;
import dev.parigot.services.proto.KvProto.PutRequest;
import dev.parigot.services.proto.KvProto.PutResponse;
import dev.parigot.services.proto.KvProto.WatchRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvTest {
  @TempDir Path dir;
  Services services;
  Client kv;

  @BeforeEach
  void open() {
    services = new Services(dir);
    kv = services.kv();
  }

  @AfterEach
  void close() {
    services.close();
  }

  long put(String bucket, String key, String value) {
    return kv.unary(
            "Put",
            PutRequest.newBuilder()
                .setBucket(bucket)
                .setKey(key)
                .setValue(ByteString.copyFromUtf8(value))
                .build(),
            PutResponse.parser())
        .getRevision();
  }

  Entry get(String bucket, String key) {
    return kv.unary(
            "Get",
            GetRequest.newBuilder().setBucket(bucket).setKey(key).build(),
            GetResponse.parser())
        .getEntry();
  }

  @Test
  void methodNumbersFollowDeclarationOrder() {
    assertThat(List.of("Get", "Put", "Delete", "CompareAndSet", "List", "Watch"))
        .extracting(kv::method)
        .containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void aPutIsReadBackWithItsRevision() {
    long rev = put("b", "k", "v1");
    Entry e = get("b", "k");
    assertThat(e.getValue().toStringUtf8()).isEqualTo("v1");
    assertThat(e.getRevision()).isEqualTo(rev).isPositive();
  }

  @Test
  void everyChangeGetsALargerRevision() {
    long a = put("b", "k", "1");
    long b = put("b", "other", "2");
    long c = put("b", "k", "3");
    assertThat(b).isGreaterThan(a);
    assertThat(c).isGreaterThan(b);
  }

  @Test
  void getOfAMissingKeyIsNotFound() {
    String msg =
        kv.call("Get", GetRequest.newBuilder().setBucket("b").setKey("nope").build())
            .error(Code.NOT_FOUND);
    assertThat(msg).contains("nope");
  }

  @Test
  void bucketsAreScopedPerApp() {
    put("b", "k", "mine");
    Client other = kv.as(new Caller("other-app", "main", 9));
    other
        .call("Get", GetRequest.newBuilder().setBucket("b").setKey("k").build())
        .error(Code.NOT_FOUND);
    other.unary(
        "Put",
        PutRequest.newBuilder()
            .setBucket("b")
            .setKey("k")
            .setValue(ByteString.copyFromUtf8("theirs"))
            .build(),
        PutResponse.parser());
    assertThat(get("b", "k").getValue().toStringUtf8()).isEqualTo("mine");
  }

  @Test
  void deleteRemovesTheKeyAndSaysWhetherItExisted() {
    put("b", "k", "v");
    DeleteResponse first =
        kv.unary(
            "Delete",
            DeleteRequest.newBuilder().setBucket("b").setKey("k").build(),
            DeleteResponse.parser());
    DeleteResponse second =
        kv.unary(
            "Delete",
            DeleteRequest.newBuilder().setBucket("b").setKey("k").build(),
            DeleteResponse.parser());
    assertThat(first.getFound()).isTrue();
    assertThat(first.getRevision()).isPositive();
    assertThat(second.getFound()).isFalse();
    kv.call("Get", GetRequest.newBuilder().setBucket("b").setKey("k").build())
        .error(Code.NOT_FOUND);
  }

  @Test
  void compareAndSetWritesOnlyAtTheExpectedRevision() {
    long rev = put("b", "k", "1");
    CompareAndSetResponse ok =
        kv.unary("CompareAndSet", cas("k", "2", rev), CompareAndSetResponse.parser());
    String stale = kv.call("CompareAndSet", cas("k", "3", rev)).error(Code.FAILED_PRECONDITION);
    assertThat(stale).contains("revision " + ok.getRevision());
    assertThat(get("b", "k").getValue().toStringUtf8()).isEqualTo("2");
  }

  @Test
  void compareAndSetWithRevisionZeroCreatesOnly() {
    kv.unary("CompareAndSet", cas("new", "1", 0), CompareAndSetResponse.parser());
    kv.call("CompareAndSet", cas("new", "2", 0)).error(Code.FAILED_PRECONDITION);
    assertThat(get("b", "new").getValue().toStringUtf8()).isEqualTo("1");
  }

  static CompareAndSetRequest cas(String key, String value, long expected) {
    return CompareAndSetRequest.newBuilder()
        .setBucket("b")
        .setKey(key)
        .setValue(ByteString.copyFromUtf8(value))
        .setExpectedRevision(expected)
        .build();
  }

  @Test
  void listStreamsPagesInKeyOrderWithinThePrefix() {
    for (String k : List.of("user/c", "user/a", "user/e", "user/b", "user/d", "users", "admin")) {
      put("b", k, k);
    }
    var call =
        kv.call(
            "List",
            ListRequest.newBuilder().setBucket("b").setPrefix("user/").setPageSize(2).build());
    List<List<String>> pages = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pages.add(
          call.partial(ListPage.parser()).getEntriesList().stream().map(Entry::getKey).toList());
    }
    assertThat(call.end(ListPage.parser()).getEntriesCount()).isZero();
    assertThat(pages)
        .containsExactly(
            List.of("user/a", "user/b"), List.of("user/c", "user/d"), List.of("user/e"));
  }

  @Test
  void aListToACallerThatIsNotReadySendsNothingUntilTheCallerSaysItIs() throws Exception {
    for (String k : List.of("a", "b", "c")) {
      put("b", k, k);
    }
    var call = new Client.Call();
    call.ready(false);
    kv.call("List", ListRequest.newBuilder().setBucket("b").setPageSize(1).build(), call);
    call.awaited.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(call.answers).isEmpty();

    call.ready(true);
    for (String k : List.of("a", "b", "c")) {
      assertThat(call.partial(ListPage.parser()).getEntriesList())
          .extracting(Entry::getKey)
          .containsExactly(k);
    }
    assertThat(call.end(ListPage.parser()).getEntriesCount()).isZero();
  }

  @Test
  void listResumesAfterAKeyAndStopsAtTheLimit() {
    for (String k : List.of("a", "b", "c", "d", "e")) {
      put("b", k, k);
    }
    var call =
        kv.call(
            "List", ListRequest.newBuilder().setBucket("b").setStartAfter("b").setLimit(2).build());
    assertThat(call.partial(ListPage.parser()).getEntriesList())
        .extracting(Entry::getKey)
        .containsExactly("c", "d");
    call.end(ListPage.parser());
  }

  @Test
  void watchStreamsChangesUnderItsPrefixUntilCancelled() throws Exception {
    // Watching after a known revision: no change can slip in before the watch registers.
    long r0 = put("b", "x0", "before");
    var watch =
        kv.call(
            "Watch",
            WatchRequest.newBuilder().setBucket("b").setPrefix("x").setAfterRevision(r0).build());
    assertThat(live(watch)).isEqualTo(r0);
    long r1 = put("b", "x1", "a");
    put("b", "y1", "ignored");
    kv.unary(
        "Delete",
        DeleteRequest.newBuilder().setBucket("b").setKey("x1").build(),
        DeleteResponse.parser());
    Change put = watch.partial(Change.parser());
    Change del = watch.partial(Change.parser());
    assertThat(put.getKind()).isEqualTo(Change.Kind.PUT);
    assertThat(put.getRevision()).isEqualTo(r1);
    assertThat(put.getValue().toStringUtf8()).isEqualTo("a");
    assertThat(del.getKind()).isEqualTo(Change.Kind.DELETE);
    assertThat(del.getKey()).isEqualTo("x1");
    watch.cancel();
    put("b", "x2", "after");
    assertThat(watch.quietFor(100)).isTrue();
  }

  @Test
  void watchReplaysTheChangesAfterARevision() {
    long r1 = put("b", "k", "1");
    long r2 = put("b", "k", "2");
    put("b", "other", "x");
    var watch =
        kv.call(
            "Watch",
            WatchRequest.newBuilder().setBucket("b").setPrefix("k").setAfterRevision(r1).build());
    assertThat(live(watch)).isEqualTo(r1);
    Change c = watch.partial(Change.parser());
    assertThat(c.getRevision()).isEqualTo(r2);
    long r4 = put("b", "k", "3");
    assertThat(watch.partial(Change.parser()).getRevision()).isEqualTo(r4);
    watch.cancel();
  }

  @Test
  void aWatchFromNowStartsLiveAfterTheNewestRevisionOfTheStore() throws Exception {
    put("b", "k", "1");
    // Another bucket's write still moves the store's newest revision.
    long newest = put("other", "k", "2");
    var watch = kv.call("Watch", WatchRequest.newBuilder().setBucket("b").build());
    Change live = watch.partial(Change.parser());
    assertThat(live.getKind()).isEqualTo(Change.Kind.LIVE);
    assertThat(live.getRevision()).isEqualTo(newest);
    assertThat(live.getKey()).isEmpty();
    // Only once: nothing else comes until a change does.
    assertThat(watch.quietFor(50)).isTrue();
    long r = put("b", "k", "3");
    assertThat(watch.partial(Change.parser()).getRevision()).isEqualTo(r);
    watch.cancel();
  }

  @Test
  void aWriteMadeAfterTheLiveEventIsNeverMissed() {
    // The race: a watch from now, then a write. Once LIVE arrived, the write must show.
    for (int run = 0; run < 1000; run++) {
      String key = "k" + run;
      var watch = kv.call("Watch", WatchRequest.newBuilder().setBucket("b").setPrefix(key).build());
      long startsAfter = live(watch);
      long written = put("b", key, "v");
      Change seen = watch.partial(Change.parser());
      assertThat(seen.getKind()).as("run %d", run).isEqualTo(Change.Kind.PUT);
      assertThat(seen.getKey()).isEqualTo(key);
      assertThat(seen.getRevision()).isEqualTo(written).isGreaterThan(startsAfter);
      watch.cancel();
    }
  }

  /** The watch's first answer, which must be LIVE: the revision it starts after. */
  private static long live(Client.Call watch) {
    Change live = watch.partial(Change.parser());
    assertThat(live.getKind()).isEqualTo(Change.Kind.LIVE);
    return live.getRevision();
  }

  @Test
  void dataSurvivesClosingAndReopening() {
    long rev = put("b", "k", "kept");
    services.close();
    services = new Services(dir);
    kv = services.kv();
    assertThat(get("b", "k").getRevision()).isEqualTo(rev);
    assertThat(put("b", "k2", "x")).isGreaterThan(rev);
  }

  @Test
  void aBadBucketNameIsInvalid() {
    String msg =
        kv.call("Put", PutRequest.newBuilder().setBucket("../etc").setKey("k").build())
            .error(Code.INVALID_ARGUMENT);
    assertThat(msg).startsWith("bucket:");
  }

  @Test
  void anEmptyKeyIsInvalid() {
    assertThat(
            kv.call("Get", GetRequest.newBuilder().setBucket("b").build())
                .error(Code.INVALID_ARGUMENT))
        .isEqualTo("key: required");
  }

  @Test
  void aKeyOverTheLimitIsInvalid() {
    String key = "k".repeat(Kv.MAX_KEY + 1);
    assertThat(
            kv.call("Get", GetRequest.newBuilder().setBucket("b").setKey(key).build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("key: 1025 bytes");
  }

  @Test
  void aValueOverTheLimitIsInvalid() {
    var r =
        PutRequest.newBuilder()
            .setBucket("b")
            .setKey("k")
            .setValue(ByteString.copyFrom(new byte[Kv.MAX_VALUE + 1]))
            .build();
    assertThat(kv.call("Put", r).error(Code.INVALID_ARGUMENT)).startsWith("value:");
  }

  @Test
  void aNegativeExpectedRevisionIsInvalid() {
    assertThat(kv.call("CompareAndSet", cas("k", "v", -1)).error(Code.INVALID_ARGUMENT))
        .startsWith("expected_revision:");
  }

  @Test
  void aPageSizeOutOfRangeIsInvalid() {
    assertThat(
            kv.call("List", ListRequest.newBuilder().setBucket("b").setPageSize(1001).build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("page_size:");
  }

  @Test
  void watchingFromACompactedRevisionIsAFailedPrecondition() throws Exception {
    put("b", "k", "1");
    services.close();
    // Trim the history as a long-running store would have.
    try (Store s = Store.open(dir.resolve(KernelServices.STORE_FILE), true)) {
      s.execute("DELETE FROM kv_history");
      s.execute("INSERT INTO kv_history VALUES (500, 'app', 'b', x'6b', x'31', 1)");
    }
    services = new Services(dir);
    kv = services.kv();
    kv.call("Watch", WatchRequest.newBuilder().setBucket("b").setAfterRevision(3).build())
        .error(Code.FAILED_PRECONDITION);
  }

  @Test
  void anUnknownMethodIsUnimplemented() {
    assertThat(kv.call(7, new byte[0]).error(Code.UNIMPLEMENTED)).contains("1 to 6");
    kv.call(0, new byte[0]).error(Code.UNIMPLEMENTED);
  }
}
