package dev.parigot.cluster.store;

import com.google.protobuf.ByteString;
import dev.parigot.services.proto.KvProto.Change;
import dev.parigot.services.proto.KvProto.Entry;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.store.KvStore;
import dev.parigot.services.store.StoreException;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * kv in one JetStream KV bucket per app. A parigot bucket and key become the NATS key {@code
 * BUCKET.KEY}, each {@link Tokens encoded}; a revision is the bucket's stream sequence, so
 * revisions are one sequence per app, as the contract asks of a store.
 *
 * <p>What JetStream KV lacks the kernel does here: listing in key order with a start and a limit (a
 * pass over the bucket's newest entries per key, keeping the page's smallest keys), watches of a
 * prefix that is not a whole token (a watch of the whole bucket, filtered here), and the refusal of
 * a watch from a revision whose changes are no longer all kept (JetStream would silently replay
 * what is left; here a gap in the stream's sequence numbers is FAILED_PRECONDITION). The history is
 * per key: each key keeps its newest {@code history} changes.
 */
final class JetStreamKv implements KvStore {
  /** JetStream's "wrong last sequence": a compare-and-set whose expectation failed. */
  private static final int WRONG_LAST_SEQUENCE = 10071;

  private static final long WAIT_SECONDS = 30;

  private final String app;
  private final String bucket;
  private final KeyValue kv;
  private final JetStream js;
  private final JetStreamManagement jsm;

  JetStreamKv(String app, String bucket, KeyValue kv, JetStream js, JetStreamManagement jsm) {
    this.app = app;
    this.bucket = bucket;
    this.kv = kv;
    this.js = js;
    this.jsm = jsm;
  }

  @Override
  public Optional<Entry> get(String app, String bucket, byte[] key) {
    ownApp(app);
    try {
      return Optional.ofNullable(kv.get(natsKey(bucket, key))).map(e -> entry(key, e));
    } catch (IOException | JetStreamApiException e) {
      throw unavailable("get", e);
    }
  }

  @Override
  public long put(
      String app, String program, String bucket, byte[] key, byte[] value, OptionalLong expected) {
    ownApp(app);
    String natsKey = natsKey(bucket, key);
    try {
      if (expected.isEmpty()) {
        return kv.put(natsKey, value);
      }
      long want = expected.getAsLong();
      if (want == 0) {
        // create() also replaces a deleted key's marker, which parigot calls absent.
        return kv.create(natsKey, value);
      }
      // A deleted key's marker has a revision too, but parigot calls the key absent: check.
      long current = revision(natsKey);
      if (current != want) {
        throw notAt(bucket, key, current, want);
      }
      return kv.update(natsKey, value, want);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == WRONG_LAST_SEQUENCE && expected.isPresent()) {
        throw notAt(bucket, key, revisionOrZero(natsKey), expected.getAsLong());
      }
      throw unavailable("put", e);
    } catch (IOException e) {
      throw unavailable("put", e);
    }
  }

  @Override
  public OptionalLong delete(String app, String bucket, byte[] key) {
    ownApp(app);
    String natsKey = natsKey(bucket, key);
    String subject = subject(natsKey);
    // JetStream writes a deletion marker even for an absent key, and tells not its revision:
    // publish the marker here, only over the entry that was read.
    for (int tries = 0; tries < 100; tries++) {
      try {
        long current = revision(natsKey);
        if (current == 0) {
          return OptionalLong.empty();
        }
        var headers = new Headers().put("KV-Operation", "DEL");
        var options = PublishOptions.builder().expectedLastSubjectSequence(current).build();
        return OptionalLong.of(js.publish(subject, headers, null, options).getSeqno());
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != WRONG_LAST_SEQUENCE) {
          throw unavailable("delete", e);
        }
        // Written in between: read it again.
      } catch (IOException e) {
        throw unavailable("delete", e);
      }
    }
    throw new StoreException(
        Code.UNAVAILABLE, "delete: the key kept changing under 100 tries; try again");
  }

  @Override
  public List<Entry> page(
      String app, String bucket, byte[] from, boolean inclusive, Optional<byte[]> end, int n) {
    ownApp(app);
    // The n smallest keys in range, of every key's newest entry.
    var smallest = new TreeMap<byte[], Entry>(Arrays::compareUnsigned);
    var done = new CountDownLatch(1);
    KeyValueWatcher collect =
        new KeyValueWatcher() {
          @Override
          public void watch(KeyValueEntry e) {
            byte[] key = keyOf(e.getKey());
            if (key == null) {
              return;
            }
            int c = Arrays.compareUnsigned(key, from);
            if (c < 0 || c == 0 && !inclusive) {
              return;
            }
            if (end.isPresent() && Arrays.compareUnsigned(key, end.get()) >= 0) {
              return;
            }
            smallest.put(key, entry(key, e));
            if (smallest.size() > n) {
              smallest.pollLastEntry();
            }
          }

          @Override
          public void endOfData() {
            done.countDown();
          }
        };
    NatsKeyValueWatchSubscription sub = null;
    try {
      sub =
          kv.watch(
              Tokens.encode(bucket.getBytes(StandardCharsets.UTF_8)) + ".>",
              collect,
              KeyValueWatchOption.IGNORE_DELETE);
      await(done, "list");
    } catch (IOException | JetStreamApiException e) {
      throw unavailable("list", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Code.ABORTED, "list: interrupted");
    } finally {
      if (sub != null) {
        sub.unsubscribe();
      }
    }
    var page = new ArrayList<Entry>();
    long bytes = 0;
    for (Entry e : smallest.values()) {
      // As SQLite's: a page ends at 256 KiB of values, but holds at least one entry.
      if (!page.isEmpty() && bytes >= 256 * 1024) {
        break;
      }
      bytes += e.getValue().size();
      page.add(e);
    }
    return page;
  }

  @Override
  public Watch watch(String app, String bucket, byte[] prefix, long after, Consumer<Change> live) {
    ownApp(app);
    long last;
    try {
      last = jsm.getStreamInfo("KV_" + this.bucket).getStreamState().getLastSequence();
    } catch (IOException | JetStreamApiException e) {
      throw unavailable("watch", e);
    }
    long start = after == 0 || after >= last ? last + 1 : after + 1;
    var watcher = new Watcher(bucket, prefix, start, live);
    NatsKeyValueWatchSubscription sub;
    try {
      sub = kv.watchAll(watcher, start);
      await(watcher.replayed, "watch");
    } catch (IOException | JetStreamApiException e) {
      throw unavailable("watch", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Code.ABORTED, "watch: interrupted");
    }
    if (watcher.gapAt != 0) {
      sub.unsubscribe();
      throw new StoreException(
          Code.FAILED_PRECONDITION,
          "after_revision "
              + after
              + " is older than the kept history, which misses changes before revision "
              + watcher.gapAt
              + " (each key keeps its newest changes only); list the bucket and watch from its"
              + " newest revision");
    }
    List<Change> replay = watcher.startLive();
    long liveAfter = watcher.liveAfter;
    return new Watch() {
      @Override
      public List<Change> replay() {
        return replay;
      }

      @Override
      public long liveAfter() {
        return liveAfter;
      }

      @Override
      public void close() {
        sub.unsubscribe();
      }
    };
  }

  /**
   * Collects the replay, checking that no sequence number is missing from it, then hands the live
   * changes on. jnats calls it from one thread at a time.
   */
  private final class Watcher implements KeyValueWatcher {
    final String bucket;
    final byte[] prefix;
    final Consumer<Change> live;
    final CountDownLatch replayed = new CountDownLatch(1);
    // Guarded by this.
    private final List<Change> replay = new ArrayList<>();
    private boolean isLive;
    private long expected;
    long gapAt;
    long liveAfter;

    Watcher(String bucket, byte[] prefix, long start, Consumer<Change> live) {
      this.bucket = bucket;
      this.prefix = prefix;
      this.live = live;
      this.expected = start;
      this.liveAfter = start - 1;
    }

    @Override
    public synchronized void watch(KeyValueEntry e) {
      if (!isLive && !replayedYet()) {
        if (e.getRevision() != expected && gapAt == 0) {
          gapAt = e.getRevision();
        }
        expected = e.getRevision() + 1;
        liveAfter = e.getRevision();
      }
      Change change = change(e);
      if (change == null) {
        return;
      }
      if (isLive) {
        live.accept(change);
      } else {
        replay.add(change);
      }
    }

    private boolean replayedYet() {
      return replayed.getCount() == 0;
    }

    @Override
    public void endOfData() {
      replayed.countDown();
    }

    /** The replay; what comes after it goes live from now on. */
    synchronized List<Change> startLive() {
      isLive = true;
      return List.copyOf(replay);
    }

    /** The change as parigot sees it, or null if it is not this watch's. */
    private Change change(KeyValueEntry e) {
      int dot = e.getKey().indexOf('.');
      if (dot < 0
          || !e.getKey()
              .substring(0, dot)
              .equals(Tokens.encode(bucket.getBytes(StandardCharsets.UTF_8)))) {
        return null;
      }
      byte[] key = keyOf(e.getKey());
      if (key == null || !startsWith(key, prefix)) {
        return null;
      }
      var b =
          Change.newBuilder()
              .setKey(new String(key, StandardCharsets.UTF_8))
              .setRevision(e.getRevision());
      if (e.getOperation() == KeyValueOperation.PUT) {
        b.setKind(Change.Kind.PUT).setValue(ByteString.copyFrom(value(e)));
      } else {
        b.setKind(Change.Kind.DELETE);
      }
      return b.build();
    }
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new StoreException(
          Code.UNAVAILABLE, what + ": JetStream sent no answer within " + WAIT_SECONDS + " s");
    }
  }

  /** The key's revision; 0 if it is absent or deleted. */
  private long revision(String natsKey) throws IOException, JetStreamApiException {
    KeyValueEntry e = kv.get(natsKey);
    return e == null ? 0 : e.getRevision();
  }

  private long revisionOrZero(String natsKey) {
    try {
      return revision(natsKey);
    } catch (IOException | JetStreamApiException e) {
      throw unavailable("compare-and-set", e);
    }
  }

  private static StoreException notAt(String bucket, byte[] key, long current, long expected) {
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

  private void ownApp(String caller) {
    if (!caller.equals(app)) {
      throw new StoreException(
          Code.PERMISSION_DENIED,
          "this kernel keeps the kv of app '" + app + "' only, not of '" + caller + "'");
    }
  }

  private String subject(String natsKey) {
    return "$KV." + bucket + "." + natsKey;
  }

  static String natsKey(String bucket, byte[] key) {
    return Tokens.encode(bucket.getBytes(StandardCharsets.UTF_8)) + "." + Tokens.encode(key);
  }

  /** The parigot key of a NATS key; null for one this store did not write. */
  private static byte[] keyOf(String natsKey) {
    try {
      return Tokens.decode(natsKey.substring(natsKey.indexOf('.') + 1));
    } catch (IllegalArgumentException notOurs) {
      return null;
    }
  }

  private static Entry entry(byte[] key, KeyValueEntry e) {
    return Entry.newBuilder()
        .setKey(new String(key, StandardCharsets.UTF_8))
        .setValue(ByteString.copyFrom(value(e)))
        .setRevision(e.getRevision())
        .build();
  }

  private static byte[] value(KeyValueEntry e) {
    byte[] v = e.getValue();
    return v == null ? new byte[0] : v;
  }

  static StoreException unavailable(String what, Exception e) {
    return new StoreException(
        Code.UNAVAILABLE, what + ": JetStream did not answer: " + e.getMessage(), e);
  }
}
