package dev.parigot.services;

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
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;

/**
 * parigot.kv.v1.KV: buckets of keys per app, in the shared store. See kv.proto for the contract.
 *
 * <p>This checks the requests and speaks the protocol; the entries live in a {@link KvStore}: in
 * SQLite ({@link SqliteKv}, which keeps the newest {@link #HISTORY} changes, at most {@link
 * #HISTORY_BYTES} of their keys and values, for Watch to replay) unless the kernel was given
 * another.
 */
final class Kv {
  static final int MAX_BUCKET = 128;
  static final int MAX_KEY = 1024;
  static final int MAX_VALUE = 512 * 1024;
  static final int MAX_PAGE = 1000;
  static final int DEFAULT_PAGE = 100;
  static final int PAGE_BYTES = 256 * 1024;
  static final long HISTORY = 100_000;
  static final long HISTORY_BYTES = 64L << 20;

  /** Changes a watcher may have pending before it is cut off as too slow. */
  static final int WATCH_BACKLOG = 10_000;

  private final KvStore store;

  Kv(KvStore store) {
    this.store = store;
  }

  /** kv in the SQLite store, as the kernel keeps it by default. */
  Kv(Store store, DiskQuotas quotas) throws SQLException {
    this(new SqliteKv(store, quotas));
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(KvProto.getDescriptor().findServiceByName("KV"), threads)
        .on("Get", GetRequest.getDefaultInstance(), this::get)
        .on("Put", PutRequest.getDefaultInstance(), this::put)
        .on("Delete", DeleteRequest.getDefaultInstance(), this::delete)
        .on("CompareAndSet", CompareAndSetRequest.getDefaultInstance(), this::compareAndSet)
        .on("List", ListRequest.getDefaultInstance(), this::list)
        .on("Watch", WatchRequest.getDefaultInstance(), this::watch)
        .build();
  }

  private GetResponse get(Call call, GetRequest r) throws Exception {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
    Entry entry =
        store
            .get(app, bucket, key)
            .orElseThrow(() ->
                new Failure(
                    Code.NOT_FOUND,
                    "no key '" + Check.printable(r.getKey()) + "' in bucket " + bucket));
    return GetResponse.newBuilder().setEntry(entry).build();
  }

  private PutResponse put(Call call, PutRequest r) throws Exception {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
    Check.size("value", r.getValue().size(), MAX_VALUE);
    long revision =
        store.put(
            app,
            call.caller().program(),
            bucket,
            key,
            r.getValue().toByteArray(),
            OptionalLong.empty());
    return PutResponse.newBuilder().setRevision(revision).build();
  }

  private CompareAndSetResponse compareAndSet(Call call, CompareAndSetRequest r) throws Exception {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
    Check.size("value", r.getValue().size(), MAX_VALUE);
    long expected = Check.range("expected_revision", r.getExpectedRevision(), 0, Long.MAX_VALUE);
    long revision =
        store.put(
            app,
            call.caller().program(),
            bucket,
            key,
            r.getValue().toByteArray(),
            OptionalLong.of(expected));
    return CompareAndSetResponse.newBuilder().setRevision(revision).build();
  }

  private DeleteResponse delete(Call call, DeleteRequest r) throws Exception {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] key = key("key", r.getKey());
    OptionalLong revision = store.delete(app, bucket, key);
    return revision.isEmpty()
        ? DeleteResponse.getDefaultInstance()
        : DeleteResponse.newBuilder().setFound(true).setRevision(revision.getAsLong()).build();
  }

  /** The failure of a compare-and-set whose key is at {@code current}, not {@code expected}. */
  static StoreException notAt(String bucket, byte[] key, long current, long expected) {
    return new StoreException(
        Code.FAILED_PRECONDITION,
        "key '"
            + new String(key, StandardCharsets.UTF_8)
            + "' in bucket "
            + bucket
            + " is at revision "
            + current
            + (current == 0 ? " (absent)" : "")
            + ", not "
            + expected);
  }

  /** The failure of a watch from {@code after} when the kept history starts at {@code oldest}. */
  static StoreException pastHistory(long after, long oldest) {
    return new StoreException(
        Code.FAILED_PRECONDITION,
        "after_revision "
            + after
            + " is older than the kept history, which"
            + " starts at revision "
            + oldest
            + "; list the bucket and watch from"
            + " its newest revision");
  }

  private ListPage list(Call call, ListRequest r) throws Exception {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] prefix = Check.text("prefix", r.getPrefix(), 0, MAX_KEY);
    byte[] after = Check.text("start_after", r.getStartAfter(), 0, MAX_KEY);
    int pageSize = (int) Check.range("page_size", r.getPageSize(), 0, MAX_PAGE);
    int limit = (int) Check.range("limit", r.getLimit(), 0, Integer.MAX_VALUE);
    if (pageSize == 0) {
      pageSize = DEFAULT_PAGE;
    }
    byte[] from = compare(after, prefix) > 0 ? after : null;
    byte[] start = from != null ? from : prefix;
    boolean startInclusive = from == null;
    byte[] end = upperBound(prefix);
    call.stream(new Listing(call, app, bucket, start, startInclusive, end, pageSize, limit)::next);
    return null;
  }

  /** A List in progress: each step reads and sends one page, when the caller is ready for it. */
  private final class Listing {
    private final Call call;
    private final String app;
    private final String bucket;
    private final byte[] end;
    private final int pageSize;
    private byte[] start;
    private boolean startInclusive;
    private int left;

    Listing(
        Call call,
        String app,
        String bucket,
        byte[] start,
        boolean startInclusive,
        byte[] end,
        int pageSize,
        int limit) {
      this.call = call;
      this.app = app;
      this.bucket = bucket;
      this.start = start;
      this.startInclusive = startInclusive;
      this.end = end;
      this.pageSize = pageSize;
      this.left = limit == 0 ? Integer.MAX_VALUE : limit;
    }

    boolean next() throws Exception {
      int want = Math.min(pageSize, left);
      byte[] lo = start;
      boolean inclusive = startInclusive;
      List<Entry> page =
          want == 0
              ? List.of()
              : store.page(app, bucket, lo, inclusive, Optional.ofNullable(end), want);
      if (page.isEmpty()) {
        call.end(ListPage.getDefaultInstance());
        return false;
      }
      left -= page.size();
      start = page.getLast().getKey().getBytes(StandardCharsets.UTF_8);
      startInclusive = false;
      return call.partial(ListPage.newBuilder().addAllEntries(page).build());
    }
  }

  private Change watch(Call call, WatchRequest r) throws Exception {
    String app = call.caller().app();
    String bucket = bucket(r.getBucket());
    byte[] prefix = Check.text("prefix", r.getPrefix(), 0, MAX_KEY);
    long after = Check.range("after_revision", r.getAfterRevision(), 0, Long.MAX_VALUE);
    var watcher = new Watcher();
    KvStore.Watch watch = store.watch(app, bucket, prefix, after, watcher::offer);
    // The LIVE event goes first: once the caller has it, any write it makes reaches this watch.
    List<Change> replay = new ArrayList<>();
    replay.add(
        Change.newBuilder()
            .setKind(Change.Kind.LIVE)
            .setRevision(after > 0 ? after : watch.liveAfter())
            .build());
    replay.addAll(watch.replay());
    // However the watch ends: its caller cancels it (or dies), or it fails below.
    call.onCancel(watch::close);
    Iterator<Change> replayed = replay.iterator();
    call.stream(() -> {
      // Waiting here is for the next change, never for the caller: steps run when it is ready.
      Change change = replayed.hasNext() ? replayed.next() : watcher.pending.take();
      if (change == Watcher.OVERFLOW) {
        watch.close();
        call.fail(
            Code.RESOURCE_EXHAUSTED,
            "more than "
                + WATCH_BACKLOG
                + " changes waited for this watch; read faster or watch a narrower prefix");
        return false;
      }
      return call.partial(change);
    });
    return null;
  }

  /** A watch in progress and the changes it has yet to send. */
  private static final class Watcher {
    static final Change OVERFLOW = Change.getDefaultInstance();
    // One slot more than the backlog, for the overflow marker.
    final BlockingQueue<Change> pending = new LinkedBlockingQueue<>(WATCH_BACKLOG + 1);
    private boolean overflowed;

    /** Called by the store in revision order, one thread at a time. */
    void offer(Change change) {
      if (overflowed) {
        return;
      }
      if (pending.size() >= WATCH_BACKLOG) {
        overflowed = true;
        pending.add(OVERFLOW);
        return;
      }
      pending.add(change);
    }
  }

  private static String bucket(String bucket) {
    return Check.name("bucket", bucket, MAX_BUCKET);
  }

  private static byte[] key(String field, String key) {
    return Check.text(field, key, 1, MAX_KEY);
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Unsigned byte order, as SQLite compares blobs. */
  private static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /** The smallest key above every key starting with {@code prefix}; null if there is none. */
  private static byte[] upperBound(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] bound = Arrays.copyOf(prefix, i + 1);
        bound[i]++;
        return bound;
      }
    }
    return null;
  }
}
