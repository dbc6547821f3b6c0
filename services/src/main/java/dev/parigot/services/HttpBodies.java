package dev.parigot.services;

import com.google.protobuf.ByteString;
import dev.parigot.services.proto.HttpProto;
import dev.parigot.services.proto.HttpProto.BodyChunk;
import dev.parigot.services.proto.HttpProto.ReadBodyRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * parigot.http.v1.Body: the request bodies {@link HttpIngress} does not send inline, read by the
 * handler while its exchange lasts. See http.proto for the contract.
 *
 * <p>A body is read straight from the client's connection, one chunk at a time, and only when the
 * reading process is ready for it ({@link Call#stream}): an upload never sits whole in memory, a
 * slow reader slows the client down through TCP rather than grow a queue, and no thread waits for
 * the reader meanwhile.
 */
final class HttpBodies {
  static final int DEFAULT_CHUNK = 64 * 1024;
  static final int MAX_CHUNK = 1 << 20;

  // Made on the first body: seeding one is milliseconds of every start, and most apps serve no
  // HTTP.
  private static final class Ids {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  private final Map<Long, Body> waiting = new ConcurrentHashMap<>();

  /**
   * A body waiting to be read: what the ingress already read of it, then the rest of the
   * connection's body stream.
   */
  final class Body {
    private final long id;
    private final String app;
    private final InputStream in;
    private final long max;
    private final AtomicBoolean expired = new AtomicBoolean();
    // The Read that claimed the body, once one did.
    private volatile Call reader;

    private Body(long id, String app, byte[] head, InputStream rest, long max) {
      this.id = id;
      this.app = app;
      this.in = new SequenceInputStream(new ByteArrayInputStream(head), rest);
      this.max = max;
    }

    /** The id the handler passes to Read; never 0. */
    long id() {
      return id;
    }

    /**
     * The exchange is over: the id is unknown from now on, and a read in progress fails, even one
     * waiting for its reader to be ready.
     */
    void expire() {
      expired.set(true);
      waiting.remove(id, this);
      Call r = reader;
      if (r != null) {
        r.fail(Code.NOT_FOUND, notFound(id).getMessage());
      }
    }
  }

  /**
   * Keeps a body for app {@code app} to read.
   *
   * @param head what was already read of the body
   * @param rest the rest, from the connection; the exchange closes it
   * @param max the most bytes the body may have in all
   */
  Body register(String app, byte[] head, InputStream rest, long max) {
    while (true) {
      // Random, not counted: an id says nothing about other requests.
      long id = Ids.RANDOM.nextLong() & Long.MAX_VALUE;
      var body = new Body(id, app, head, rest, max);
      if (id != 0 && waiting.putIfAbsent(id, body) == null) {
        return body;
      }
    }
  }

  Dispatcher dispatcher(ThreadFactory threads) {
    return Dispatcher.of(HttpProto.getDescriptor().findServiceByName("Body"), threads)
        .on("Read", ReadBodyRequest.getDefaultInstance(), this::read)
        .build();
  }

  private BodyChunk read(Call call, ReadBodyRequest r) {
    if (r.getBodyId() == 0) {
      throw Failure.invalid("body_id: required");
    }
    int chunk =
        r.getChunkBytes() == 0
            ? DEFAULT_CHUNK
            : (int) Check.range("chunk_bytes", r.getChunkBytes(), 1, MAX_CHUNK);
    Body body = waiting.get(r.getBodyId());
    // Another app's id is refused as an unknown one: it learns nothing of the ids of others.
    // Removing it claims it: a body is read once.
    if (body == null || !body.app.equals(call.caller().app()) || !waiting.remove(body.id, body)) {
      throw notFound(r.getBodyId());
    }
    body.reader = call;
    // A body that expired before its reader was set is caught by the first step.
    call.stream(new Reading(call, body, chunk));
    return null;
  }

  /**
   * One Read in progress: each step reads the next chunk from the socket, which happens only when
   * the reader is ready for it (see {@link Call#stream}).
   */
  private static final class Reading implements Call.Step {
    private final Call call;
    private final Body body;
    private final int chunk;
    private long total;

    Reading(Call call, Body body, int chunk) {
      this.call = call;
      this.body = body;
      this.chunk = chunk;
    }

    @Override
    public boolean next() {
      if (body.expired.get()) {
        throw notFound(body.id);
      }
      byte[] bytes;
      try {
        bytes = body.in.readNBytes(chunk);
      } catch (IOException e) {
        if (body.expired.get()) {
          throw notFound(body.id);
        }
        throw new Failure(Code.UNAVAILABLE, "reading the request body: " + e.getMessage());
      }
      total += bytes.length;
      if (total > body.max) {
        // Only a chunked body gets here: a Content-Length over the limit was refused with 413.
        throw new Failure(
            Code.RESOURCE_EXHAUSTED, "the request body is larger than " + body.max + " bytes");
      }
      var message = BodyChunk.newBuilder().setData(ByteString.copyFrom(bytes)).build();
      if (bytes.length < chunk) {
        call.end(message);
        return false;
      }
      return call.partial(message);
    }
  }

  private static Failure notFound(long id) {
    return new Failure(
        Code.NOT_FOUND,
        "body_id: " + Long.toUnsignedString(id) + " is unknown, already read or expired");
  }
}
