package dev.parigot.services.store;

import dev.parigot.services.proto.KvProto.Change;
import dev.parigot.services.proto.KvProto.Entry;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Where parigot.kv.v1.KV keeps its entries: the storage under the service, which checks names and
 * sizes and speaks the protocol (kv.proto). Keys and prefixes arrive checked: 1 to 1024 bytes of
 * UTF-8 without NUL (a prefix may be empty), buckets are checked names.
 *
 * <p>Revisions are positive, one sequence for the whole store, larger than every revision handed
 * out before. A change is durable when its method returns. Every method may throw {@link
 * StoreException} (for example UNAVAILABLE when the store cannot be reached).
 */
public interface KvStore {
  /** The entry under {@code key}, if there is one. */
  Optional<Entry> get(String app, String bucket, byte[] key) throws Exception;

  /**
   * Writes a key and returns its new revision. {@code program} is charged for it where the store
   * keeps disk quotas.
   *
   * @param expected if present, write only if the key's revision is this one (0: the key must be
   *     absent)
   * @throws StoreException FAILED_PRECONDITION if {@code expected} does not hold; the message gives
   *     the current revision
   */
  long put(
      String app, String program, String bucket, byte[] key, byte[] value, OptionalLong expected)
      throws Exception;

  /** Removes a key; the revision of its deletion, or empty (and no change) if it was absent. */
  OptionalLong delete(String app, String bucket, byte[] key) throws Exception;

  /**
   * Up to {@code n} entries of the bucket in unsigned byte order of their keys, starting at {@code
   * from} and below {@code end} (no bound if empty). A page may stop early once its values are
   * large (256 KiB), but holds at least one entry if any is in range.
   */
  List<Entry> page(
      String app, String bucket, byte[] from, boolean inclusive, Optional<byte[]> end, int n)
      throws Exception;

  /**
   * Starts a watch of the keys under {@code prefix}: the kept changes with a revision above {@code
   * after} (none if {@code after} is 0), and from then on every new change, handed to {@code live}
   * in revision order from one thread at a time, until the watch is closed.
   *
   * @throws StoreException FAILED_PRECONDITION if changes above {@code after} are no longer kept
   */
  Watch watch(String app, String bucket, byte[] prefix, long after, Consumer<Change> live)
      throws Exception;

  /** A watch in progress. */
  interface Watch extends AutoCloseable {
    /** The kept changes above the watch's {@code after}, oldest first. */
    List<Change> replay();

    /**
     * The revision the live changes start after: every change of the store up to it is in the
     * replay or older than {@code after}, every later one goes to {@code live}.
     */
    long liveAfter();

    /** Stops handing changes to {@code live}; idempotent. */
    @Override
    void close();
  }
}
