package dev.parigot.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.services.KernelServices;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.KvProto.PutRequest;
import dev.parigot.services.proto.QueueProto;
import dev.parigot.services.proto.QueueProto.AckRequest;
import dev.parigot.services.proto.QueueProto.Delivery;
import dev.parigot.services.proto.QueueProto.ReceiveRequest;
import dev.parigot.services.proto.QueueProto.SendRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The kernel services called from Java through the {@link Provider} SPI, as the kernel calls them
 * for a guest but without the guest, the ABI and the kernel's event delivery: the difference to the
 * guest numbers ({@link GuestBench#services}) is what the kernel crossing costs. The same
 * operations as bench/guests/svc.c, with the same requests.
 */
final class ServiceCalls {
  /** The app the calls are made for. */
  static final String APP = "bench-java";

  private static final Caller CALLER = new Caller(APP, "bench", 0);
  private static final byte[] VALUE = "v".repeat(64).getBytes(StandardCharsets.US_ASCII);
  private static final long TIMEOUT_SECONDS = 60;

  private final Provider kv;
  private final Provider queue;
  private final ServiceDescriptor kvService = KvProto.getDescriptor().findServiceByName("KV");
  private final ServiceDescriptor queueService =
      QueueProto.getDescriptor().findServiceByName("Queue");

  ServiceCalls(KernelServices services) {
    this.kv = services.provider(kvService.getFullName()).orElseThrow();
    this.queue = services.provider(queueService.getFullName()).orElseThrow();
  }

  /**
   * {@code threads} virtual threads each make {@code warmup} untimed then {@code n} timed
   * sequential {@code op} calls (put, get, send or receive, as svc.c).
   */
  GuestBench.Calls run(String op, int threads, int warmup, int n) throws InterruptedException {
    List<Thread> started = new ArrayList<>();
    List<GuestBench.Calls> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      started.add(
          Thread.ofVirtual()
              .start(() -> {
                var calls = op.equals("receive") ? receive(warmup, n) : unaries(op, warmup, n);
                synchronized (results) {
                  results.add(calls);
                }
              }));
    }
    for (Thread t : started) {
      t.join();
    }
    if (results.size() != threads) {
      throw new IllegalStateException(op + ": " + (threads - results.size()) + " threads failed");
    }
    var histogram = new Histogram(3);
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (var r : results) {
      histogram.add(r.histogram());
      start = Math.min(start, r.firstStart());
      end = Math.max(end, r.lastEnd());
    }
    return new GuestBench.Calls(histogram, histogram.getTotalCount(), start, end);
  }

  private GuestBench.Calls unaries(String op, int warmup, int n) {
    for (int i = 0; i < warmup; i++) {
      unary(op, i);
    }
    var histogram = new Histogram(3);
    long start = System.nanoTime();
    long t = start;
    for (int i = 0; i < n; i++) {
      unary(op, i);
      long after = System.nanoTime();
      histogram.recordValue(after - t);
      t = after;
    }
    return new GuestBench.Calls(histogram, n, start, t);
  }

  private void unary(String op, int i) {
    String key = String.format("key-%04d", i % 1000);
    switch (op) {
      case "put" ->
          call(
              kv,
              kvService,
              "Put",
              PutRequest.newBuilder()
                  .setBucket("bench")
                  .setKey(key)
                  .setValue(ByteString.copyFrom(VALUE))
                  .build());
      case "get" ->
          call(
              kv, kvService, "Get", GetRequest.newBuilder().setBucket("bench").setKey(key).build());
      case "send" ->
          call(
              queue,
              queueService,
              "Send",
              SendRequest.newBuilder()
                  .setQueue("bench")
                  .setBody(ByteString.copyFrom(VALUE))
                  .build());
      default -> throw new IllegalArgumentException(op);
    }
  }

  /** One Receive stream; each delivery acked and waited for. Samples as svc.c's. */
  private GuestBench.Calls receive(int warmup, int n) {
    var deliveries = new Answers();
    var request =
        ReceiveRequest.newBuilder()
            .setQueue("bench")
            .setMaxInFlight(1)
            .setLimit(warmup + n)
            .build();
    queue.open(CALLER, method(queueService, "Receive"), request.toByteArray(), deliveries);
    var histogram = new Histogram(3);
    long start = 0;
    long t = 0;
    for (int i = 0; i < warmup + n; i++) {
      Delivery d;
      try {
        d = Delivery.parseFrom(deliveries.next());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
      call(
          queue,
          queueService,
          "Ack",
          AckRequest.newBuilder()
              .setQueue("bench")
              .setId(d.getId())
              .setAttempt(d.getAttempt())
              .build());
      long now = System.nanoTime();
      if (i == warmup - 1) {
        start = now;
      } else if (i >= warmup) {
        histogram.recordValue(now - t);
      }
      t = now;
    }
    return new GuestBench.Calls(histogram, n, start, t);
  }

  private static int method(ServiceDescriptor service, String name) {
    return service.findMethodByName(name).getIndex() + 1;
  }

  /** A unary call, waited for; anything but END fails the run. */
  private static void call(Provider p, ServiceDescriptor service, String name, Message request) {
    var result = new CompletableFuture<byte[]>();
    p.open(
        CALLER,
        method(service, name),
        request.toByteArray(),
        new Replies() {
          @Override
          public boolean partial(byte[] data) {
            return false;
          }

          @Override
          public boolean end(byte[] data) {
            return result.complete(data);
          }

          @Override
          public boolean fail(int code, byte[] message) {
            return result.completeExceptionally(
                new IllegalStateException(
                    name + " failed: " + code + " " + new String(message, StandardCharsets.UTF_8)));
          }
        });
    try {
      result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(name, e);
    }
  }

  /** The partial results of a stream, in order. */
  private static final class Answers implements Replies {
    private final BlockingQueue<byte[]> partials = new LinkedBlockingQueue<>();
    private volatile String failed;

    byte[] next() {
      try {
        byte[] d = partials.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (d == null) {
          throw new IllegalStateException("no delivery: " + failed);
        }
        return d;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean partial(byte[] data) {
      return partials.add(data);
    }

    @Override
    public boolean end(byte[] data) {
      return true;
    }

    @Override
    public boolean fail(int code, byte[] message) {
      failed = code + " " + new String(message, StandardCharsets.UTF_8);
      return true;
    }
  }
}
