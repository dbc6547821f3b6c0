package dev.parigot.services;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.KvProto.PutRequest;
import dev.parigot.services.proto.KvProto.PutResponse;
import dev.parigot.services.proto.QueueProto;
import dev.parigot.services.proto.QueueProto.AckRequest;
import dev.parigot.services.proto.QueueProto.AckResponse;
import dev.parigot.services.proto.QueueProto.Delivery;
import dev.parigot.services.proto.QueueProto.ReceiveRequest;
import dev.parigot.services.proto.QueueProto.SendRequest;
import dev.parigot.services.proto.QueueProto.SendResponse;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child JVM of {@link CrashTest}: runs the services on a data directory under write load until
 * it is killed, printing each acknowledgement only once its call has ended: {@code put KEY
 * REVISION}, {@code sent ID}, {@code acking ID} (before the ack is asked for) and {@code acked ID}.
 */
final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    var services = KernelServices.builder().dataDir(Path.of(args[0])).build();
    Caller caller = new Caller("crash", "main", 1);
    Dispatcher kvd = null;
    Dispatcher qd = null;
    for (Dispatcher d : services.dispatchers()) {
      if (d.name().equals("parigot.kv.v1.KV")) {
        kvd = d;
      } else if (d.name().equals("parigot.queue.v1.Queue")) {
        qd = d;
      }
    }
    var kv = new Client(kvd, KvProto.getDescriptor().findServiceByName("KV"), caller);
    var q = new Client(qd, QueueProto.getDescriptor().findServiceByName("Queue"), caller);
    Thread consumer =
        Thread.ofVirtual()
            .start(() -> {
              var r =
                  q.call(
                      "Receive",
                      ReceiveRequest.newBuilder().setQueue("jobs").setMaxInFlight(1).build());
              while (true) {
                Delivery d = r.partial(Delivery.parser());
                synchronized (out) {
                  out.println("acking " + d.getId());
                  out.flush();
                }
                q.unary(
                    "Ack",
                    AckRequest.newBuilder()
                        .setQueue("jobs")
                        .setId(d.getId())
                        .setAttempt(d.getAttempt())
                        .build(),
                    AckResponse.parser());
                synchronized (out) {
                  out.println("acked " + d.getId());
                  out.flush();
                }
              }
            });
    for (long n = 0; ; n++) {
      long rev =
          kv.unary(
                  "Put",
                  PutRequest.newBuilder()
                      .setBucket("b")
                      .setKey("k" + n)
                      .setValue(ByteString.copyFromUtf8("v" + n))
                      .build(),
                  PutResponse.parser())
              .getRevision();
      long id =
          q.unary(
                  "Send",
                  SendRequest.newBuilder()
                      .setQueue("jobs")
                      .setBody(ByteString.copyFromUtf8("m" + n))
                      .build(),
                  SendResponse.parser())
              .getId();
      synchronized (out) {
        out.println("put k" + n + " " + rev);
        out.println("sent " + id);
        out.flush();
      }
      if (!consumer.isAlive()) {
        throw new IllegalStateException("the consumer died");
      }
    }
  }
}
