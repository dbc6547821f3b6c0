package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
import dev.parigot.services.KernelServices;
import dev.parigot.services.proto.KvProto;
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
import dev.parigot.services.proto.QueueProto;
import dev.parigot.services.proto.QueueProto.AckRequest;
import dev.parigot.services.proto.QueueProto.AckResponse;
import dev.parigot.services.proto.QueueProto.ConfigureRequest;
import dev.parigot.services.proto.QueueProto.ConfigureResponse;
import dev.parigot.services.proto.QueueProto.Delivery;
import dev.parigot.services.proto.QueueProto.LengthRequest;
import dev.parigot.services.proto.QueueProto.LengthResponse;
import dev.parigot.services.proto.QueueProto.NackRequest;
import dev.parigot.services.proto.QueueProto.NackResponse;
import dev.parigot.services.proto.QueueProto.ReceiveRequest;
import dev.parigot.services.proto.QueueProto.SendRequest;
import dev.parigot.services.proto.QueueProto.SendResponse;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.QueueStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What parigot.kv.v1.KV and parigot.queue.v1.Queue promise, whatever store keeps their data: each
 * store's test runs these against the services built on it, through the services' protocol.
 */
abstract class StoreContract {
  /** Changes each store is made to keep, so that a test can run past its history. */
  static final int HISTORY = 4;

  static final String APP = "contract";
  private static final Caller CALLER = new Caller(APP, "main", 1);

  @TempDir Path dir;
  private KernelServices services;
  ServiceClient kv;
  ServiceClient queue;

  /** The stores under test, opened in {@code dir} keeping {@link #HISTORY} changes per key. */
  abstract Stores open(Path dir) throws Exception;

  /** The stores and what closes them. */
  record Stores(KvStore kv, QueueStore queue, AutoCloseable closer) {}

  private Stores stores;

  @BeforeEach
  void start() throws Exception {
    stores = open(dir);
    services =
        KernelServices.builder()
            .dataDir(dir.resolve("data"))
            .output((p, e, l) -> {})
            .stores(stores.kv(), stores.queue())
            .build();
    kv = new ServiceClient(services, KvProto.getDescriptor().findServiceByName("KV"), CALLER);
    queue =
        new ServiceClient(services, QueueProto.getDescriptor().findServiceByName("Queue"), CALLER);
  }

  @AfterEach
  void stop() throws Exception {
    services.close();
    stores.closer().close();
  }

  // --- kv ---

  @Test
  void compareAndSetWritesOnlyAtTheExpectedRevision() {
    long first = put("b", "k", "1");
    long second = cas("b", "k", "2", first);
    assertThat(second).isGreaterThan(first);
    assertFails(Code.FAILED_PRECONDITION, () -> cas("b", "k", "3", first));
    assertThat(get("b", "k").getValue().toStringUtf8()).isEqualTo("2");

    long created = cas("b", "new", "n", 0);
    assertThat(created).isGreaterThan(second);
    assertFails(Code.FAILED_PRECONDITION, () -> cas("b", "new", "again", 0));
  }

  @Test
  void aDeletedKeyIsAbsentForCompareAndSet() {
    put("b", "k", "1");
    var deleted =
        kv.unary(
            "Delete",
            DeleteRequest.newBuilder().setBucket("b").setKey("k").build(),
            DeleteResponse.parser());
    assertThat(deleted.getFound()).isTrue();
    assertFails(Code.NOT_FOUND, () -> get("b", "k"));
    // The deletion's revision is no revision of the key: it is absent.
    assertFails(Code.FAILED_PRECONDITION, () -> cas("b", "k", "x", deleted.getRevision()));
    assertThat(cas("b", "k", "back", 0)).isGreaterThan(deleted.getRevision());
    var missing =
        kv.unary(
            "Delete",
            DeleteRequest.newBuilder().setBucket("b").setKey("never").build(),
            DeleteResponse.parser());
    assertThat(missing.getFound()).isFalse();
    assertThat(missing.getRevision()).isZero();
  }

  @Test
  void keysOutsideWhatNatsAllowsComeBackAsWritten() {
    // The last is the longest key, 1024 bytes, each of them escaped on NATS.
    List<String> keys =
        List.of("a.b", ".", "x..y.", "*", ">", "sp ace", "é€", "=3D", "a/b_c-d", "é".repeat(512));
    for (String k : keys) {
      put("odd.bucket", k, "v:" + k);
    }
    for (String k : keys) {
      assertThat(get("odd.bucket", k).getValue().toStringUtf8()).isEqualTo("v:" + k);
    }
    assertThat(listAll("odd.bucket", "", 3)).extracting(Entry::getKey).hasSize(keys.size());
  }

  @Test
  void aListComesInPagesInByteOrderFromAPrefixAndAfterAKey() {
    List<String> keys = new ArrayList<>();
    for (int i = 24; i >= 0; i--) {
      keys.add("p/" + (char) ('a' + i) + (i % 3 == 0 ? "é" : ""));
    }
    keys.forEach(k -> put("b", k, k));
    put("b", "q", "outside the prefix");
    put("other", "p/zz", "another bucket");

    var pages =
        kv.stream(
            "List",
            ListRequest.newBuilder().setBucket("b").setPrefix("p/").setPageSize(10).build(),
            ListPage.parser());
    List<Integer> sizes = new ArrayList<>();
    List<String> listed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      var page = pages.next();
      sizes.add(page.getEntriesCount());
      page.getEntriesList().forEach(e -> listed.add(e.getKey()));
    }
    assertThat(sizes).containsExactly(10, 10, 5);
    assertThat(listed).isEqualTo(keys.stream().sorted(StoreContract::byBytes).toList());

    var after =
        kv.stream(
                "List",
                ListRequest.newBuilder()
                    .setBucket("b")
                    .setPrefix("p/")
                    .setStartAfter("p/w")
                    .setLimit(2)
                    .build(),
                ListPage.parser())
            .next();
    assertThat(after.getEntriesList()).extracting(Entry::getKey).containsExactly("p/x", "p/yé");
  }

  @Test
  void aWatchReplaysFromARevisionThenGoesLive() {
    long a = put("w", "pre/a", "1");
    put("w", "other", "not watched");
    put("w", "pre/b", "2");
    var watch =
        kv.stream(
            "Watch",
            WatchRequest.newBuilder().setBucket("w").setPrefix("pre/").setAfterRevision(a).build(),
            Change.parser());
    Change first = watch.next();
    assertThat(first.getKind()).isEqualTo(Change.Kind.LIVE);
    assertThat(first.getRevision()).isEqualTo(a);
    assertThat(watch.next().getKey()).isEqualTo("pre/b");
    put("w", "other2", "not watched");
    long c = put("w", "pre/c", "3");
    Change live = watch.next();
    assertThat(live.getKey()).isEqualTo("pre/c");
    assertThat(live.getRevision()).isEqualTo(c);
    assertThat(live.getValue().toStringUtf8()).isEqualTo("3");
    watch.cancel();
  }

  @Test
  void aWatchFromNowIsLiveAfterTheNewestRevisionAndSeesTheNextWrite() {
    put("w", "k", "old");
    long newest = put("w", "other", "newest");
    var watch =
        kv.stream("Watch", WatchRequest.newBuilder().setBucket("w").build(), Change.parser());
    Change first = watch.next();
    assertThat(first.getKind()).isEqualTo(Change.Kind.LIVE);
    assertThat(first.getRevision()).isEqualTo(newest);
    long next = put("w", "k", "new");
    Change change = watch.next();
    assertThat(change.getKey()).isEqualTo("k");
    assertThat(change.getRevision()).isEqualTo(next);
    watch.cancel();
  }

  @Test
  void aWatchFromARevisionNoLongerKeptFails() {
    long first = put("w", "k", "0");
    for (int i = 1; i <= 3 * HISTORY; i++) {
      put("w", "k", Integer.toString(i));
    }
    var watch =
        kv.stream(
            "Watch",
            WatchRequest.newBuilder().setBucket("w").setAfterRevision(first).build(),
            Change.parser());
    assertFails(Code.FAILED_PRECONDITION, watch::next);

    long recent = put("w", "k", "recent");
    long last = put("w", "k", "last");
    var kept =
        kv.stream(
            "Watch",
            WatchRequest.newBuilder().setBucket("w").setAfterRevision(recent).build(),
            Change.parser());
    assertThat(kept.next().getKind()).isEqualTo(Change.Kind.LIVE);
    assertThat(kept.next().getRevision()).isEqualTo(last);
    kept.cancel();
  }

  // --- queue ---

  @Test
  void aDeliveryNotAckedInItsVisibilityTimeoutComesBack() {
    long id = send("jobs", "work");
    var receiver = receive("jobs", 300, 2);
    Delivery first = receiver.next();
    assertThat(first.getId()).isEqualTo(id);
    assertThat(first.getAttempt()).isEqualTo(1);
    // Not acked: after 300 ms it is visible again, and this receive (room for two) gets it.
    Delivery again = receiver.next();
    assertThat(again.getId()).isEqualTo(id);
    assertThat(again.getAttempt()).isEqualTo(2);
    ack("jobs", again);
    receiver.cancel();
    assertThat(length("jobs").getVisible()).isZero();
  }

  @Test
  void anAckOfAnExpiredDeliveryIsRefusedAndTheMessageStays() {
    send("jobs", "work");
    var receiver = receive("jobs", 300, 2);
    Delivery first = receiver.next();
    Delivery second = receiver.next();
    assertThat(second.getAttempt()).isEqualTo(2);
    assertFails(Code.FAILED_PRECONDITION, () -> ack("jobs", first));
    // The stale ack removed nothing: the redelivery is still out and can be acked.
    ack("jobs", second);
    receiver.cancel();
    assertThat(length("jobs").getVisible()).isZero();
  }

  @Test
  void aMessageNackedMaxAttemptsTimesMovesToTheDeadLetterQueue() {
    queue.unary(
        "Configure",
        ConfigureRequest.newBuilder()
            .setQueue("jobs")
            .setMaxAttempts(2)
            .setDeadLetterQueue("dead")
            .build(),
        ConfigureResponse.parser());
    send("jobs", "poison");
    var receiver = receive("jobs", 30_000, 1);
    Delivery first = receiver.next();
    assertThat(nack("jobs", first).getDeadLettered()).isFalse();
    Delivery second = receiver.next();
    assertThat(second.getAttempt()).isEqualTo(2);
    assertThat(nack("jobs", second).getDeadLettered()).isTrue();
    receiver.cancel();

    var dead = receive("dead", 30_000, 1);
    Delivery d = dead.next();
    assertThat(d.getBody().toStringUtf8()).isEqualTo("poison");
    assertThat(d.getDeadFrom()).isEqualTo("jobs");
    ack("dead", d);
    dead.cancel();
  }

  @Test
  void everyMessageIsDeliveredAtLeastOnceThoughAReceiverGoesAway() {
    Set<Long> sent = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      sent.add(send("jobs", "m" + i));
    }
    var quitter = receive("jobs", 30_000, 5);
    for (int i = 0; i < 5; i++) {
      quitter.next();
    }
    // Cancelled with five deliveries unacked: they are visible again at once.
    quitter.cancel();
    var worker = receive("jobs", 30_000, 1);
    Set<Long> acked = new HashSet<>();
    while (!acked.containsAll(sent)) {
      Delivery d = worker.next();
      ack("jobs", d);
      acked.add(d.getId());
    }
    worker.cancel();
    assertThat(acked).isEqualTo(sent);
    assertThat(length("jobs").getVisible()).isZero();
  }

  @Test
  void lengthCountsVisibleAndInFlightMessages() {
    send("jobs", "a");
    send("jobs", "b");
    send("jobs", "c");
    var receiver = receive("jobs", 30_000, 1);
    Delivery d = receiver.next();
    assertThat(length("jobs"))
        .extracting(LengthResponse::getVisible, LengthResponse::getInFlight)
        .containsExactly(2L, 1L);
    ack("jobs", d);
    receiver.cancel();
  }

  // --- helpers ---

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

  private long cas(String bucket, String key, String value, long expected) {
    return kv.unary(
            "CompareAndSet",
            CompareAndSetRequest.newBuilder()
                .setBucket(bucket)
                .setKey(key)
                .setValue(ByteString.copyFromUtf8(value))
                .setExpectedRevision(expected)
                .build(),
            CompareAndSetResponse.parser())
        .getRevision();
  }

  Entry get(String bucket, String key) {
    return kv.unary(
            "Get",
            GetRequest.newBuilder().setBucket(bucket).setKey(key).build(),
            GetResponse.parser())
        .getEntry();
  }

  private List<Entry> listAll(String bucket, String prefix, int pageSize) {
    var stream =
        kv.stream(
            "List",
            ListRequest.newBuilder()
                .setBucket(bucket)
                .setPrefix(prefix)
                .setPageSize(pageSize)
                .build(),
            ListPage.parser());
    List<Entry> all = new ArrayList<>();
    while (true) {
      try {
        all.addAll(stream.next().getEntriesList());
      } catch (IllegalStateException ended) {
        return all;
      }
    }
  }

  long send(String name, String body) {
    return queue
        .unary(
            "Send",
            SendRequest.newBuilder().setQueue(name).setBody(ByteString.copyFromUtf8(body)).build(),
            SendResponse.parser())
        .getId();
  }

  ServiceClient.Stream<Delivery> receive(String name, int visibilityMs, int inFlight) {
    return queue.stream(
        "Receive",
        ReceiveRequest.newBuilder()
            .setQueue(name)
            .setVisibilityTimeoutMs(visibilityMs)
            .setMaxInFlight(inFlight)
            .build(),
        Delivery.parser());
  }

  void ack(String name, Delivery d) {
    queue.unary(
        "Ack",
        AckRequest.newBuilder().setQueue(name).setId(d.getId()).setAttempt(d.getAttempt()).build(),
        AckResponse.parser());
  }

  private NackResponse nack(String name, Delivery d) {
    return queue.unary(
        "Nack",
        NackRequest.newBuilder().setQueue(name).setId(d.getId()).setAttempt(d.getAttempt()).build(),
        NackResponse.parser());
  }

  private LengthResponse length(String name) {
    return queue.unary(
        "Length", LengthRequest.newBuilder().setQueue(name).build(), LengthResponse.parser());
  }

  private static void assertFails(Code code, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ServiceClient.CallFailed.class, f -> assertThat(f.code).isEqualTo(code.getNumber()));
  }

  private static int byBytes(String a, String b) {
    return java.util.Arrays.compareUnsigned(
        a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
