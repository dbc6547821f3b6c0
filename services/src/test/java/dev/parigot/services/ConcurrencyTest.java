package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
import dev.parigot.services.proto.KvProto.CompareAndSetRequest;
import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.KvProto.GetResponse;
import dev.parigot.services.proto.QueueProto.AckRequest;
import dev.parigot.services.proto.QueueProto.Delivery;
import dev.parigot.services.proto.QueueProto.LengthRequest;
import dev.parigot.services.proto.QueueProto.LengthResponse;
import dev.parigot.services.proto.QueueProto.ReceiveRequest;
import dev.parigot.services.proto.QueueProto.SendRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many callers at once: compare-and-set loses no increment, a queue loses no message. */
class ConcurrencyTest {
  @TempDir Path dir;
  Services services;

  @BeforeEach
  void open() {
    services = new Services(dir);
  }

  @AfterEach
  void close() {
    services.close();
  }

  @Test
  void concurrentCompareAndSetIncrementsLoseNoUpdate() throws Exception {
    int callers = 16;
    int each = 20;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<Future<?>>();
      for (int i = 0; i < callers; i++) {
        Client kv = services.kv().as(new Caller("app", "worker", i + 1));
        futures.add(
            pool.submit(() -> {
              for (int n = 0; n < each; n++) {
                increment(kv);
              }
              return null;
            }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    assertThat(read(services.kv())).isEqualTo(callers * each);
  }

  private static void increment(Client kv) {
    while (true) {
      var get = kv.call("Get", GetRequest.newBuilder().setBucket("c").setKey("n").build());
      Client.Answer a = get.next();
      long value = 0;
      long rev = 0;
      if (a.kind().equals("END")) {
        try {
          var e = GetResponse.parseFrom(a.payload()).getEntry();
          value = Long.parseLong(e.getValue().toStringUtf8());
          rev = e.getRevision();
        } catch (Exception ex) {
          throw new AssertionError(ex);
        }
      } else {
        assertThat(a.code()).isEqualTo(Code.NOT_FOUND.getNumber());
      }
      Client.Answer set =
          kv.call(
                  "CompareAndSet",
                  CompareAndSetRequest.newBuilder()
                      .setBucket("c")
                      .setKey("n")
                      .setValue(ByteString.copyFromUtf8(Long.toString(value + 1)))
                      .setExpectedRevision(rev)
                      .build())
              .next();
      if (set.kind().equals("END")) {
        return;
      }
      assertThat(set.code()).as(set.text()).isEqualTo(Code.FAILED_PRECONDITION.getNumber());
    }
  }

  private static long read(Client kv) {
    return Long.parseLong(
        kv.unary(
                "Get",
                GetRequest.newBuilder().setBucket("c").setKey("n").build(),
                GetResponse.parser())
            .getEntry()
            .getValue()
            .toStringUtf8());
  }

  @Test
  void concurrentProducersAndConsumersDeliverEveryMessage() throws Exception {
    int producers = 8;
    int each = 25;
    int consumers = 4;
    Set<String> received = ConcurrentHashMap.newKeySet();
    List<Client.Call> receives = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<Future<?>>();
      for (int c = 0; c < consumers; c++) {
        Client q = services.queue().as(new Caller("app", "consumer", 100 + c));
        var r =
            q.call(
                "Receive", ReceiveRequest.newBuilder().setQueue("work").setMaxInFlight(4).build());
        receives.add(r);
        futures.add(
            pool.submit(() -> {
              while (received.size() < producers * each) {
                Client.Answer a = r.answers.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (a == null) {
                  continue;
                }
                Delivery d = Delivery.parseFrom(a.payload());
                received.add(d.getBody().toStringUtf8());
                q.unary(
                    "Ack",
                    AckRequest.newBuilder()
                        .setQueue("work")
                        .setId(d.getId())
                        .setAttempt(d.getAttempt())
                        .build(),
                    dev.parigot.services.proto.QueueProto.AckResponse.parser());
              }
              return null;
            }));
      }
      for (int p = 0; p < producers; p++) {
        Client q = services.queue().as(new Caller("app", "producer", 200 + p));
        int id = p;
        futures.add(
            pool.submit(() -> {
              for (int n = 0; n < each; n++) {
                q.unary(
                    "Send",
                    SendRequest.newBuilder()
                        .setQueue("work")
                        .setBody(ByteString.copyFromUtf8(id + "-" + n))
                        .build(),
                    dev.parigot.services.proto.QueueProto.SendResponse.parser());
              }
              return null;
            }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    receives.forEach(Client.Call::cancel);
    assertThat(received).hasSize(producers * each);
    assertThat(
            services
                .queue()
                .unary(
                    "Length",
                    LengthRequest.newBuilder().setQueue("work").build(),
                    LengthResponse.parser()))
        .isEqualTo(LengthResponse.getDefaultInstance());
  }
}
