package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.parigot.kernel.Caller;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueTest {
  @TempDir Path dir;
  Services services;
  Client q;

  @BeforeEach
  void open() {
    services = new Services(dir);
    q = services.queue();
  }

  @AfterEach
  void close() {
    services.close();
  }

  long send(String queue, String body) {
    return send(queue, body, 0);
  }

  long send(String queue, String body, int maxAttempts) {
    return q.unary(
            "Send",
            SendRequest.newBuilder()
                .setQueue(queue)
                .setBody(ByteString.copyFromUtf8(body))
                .setMaxAttempts(maxAttempts)
                .build(),
            SendResponse.parser())
        .getId();
  }

  Client.Call receive(String queue, long visibilityMs, int maxInFlight, int limit) {
    return q.call(
        "Receive",
        ReceiveRequest.newBuilder()
            .setQueue(queue)
            .setVisibilityTimeoutMs(visibilityMs)
            .setMaxInFlight(maxInFlight)
            .setLimit(limit)
            .build());
  }

  void ack(Delivery d) {
    q.unary(
        "Ack",
        AckRequest.newBuilder()
            .setQueue("jobs")
            .setId(d.getId())
            .setAttempt(d.getAttempt())
            .build(),
        AckResponse.parser());
  }

  NackResponse nack(Delivery d) {
    return q.unary(
        "Nack",
        NackRequest.newBuilder()
            .setQueue("jobs")
            .setId(d.getId())
            .setAttempt(d.getAttempt())
            .build(),
        NackResponse.parser());
  }

  LengthResponse length(String queue) {
    return q.unary(
        "Length", LengthRequest.newBuilder().setQueue(queue).build(), LengthResponse.parser());
  }

  /** Waits until the queue's counts are as given: leases end on service threads. */
  void awaitLength(String queue, long visible, long inFlight) throws InterruptedException {
    LengthResponse l = null;
    for (int i = 0; i < 3000; i++) {
      l = length(queue);
      if (l.getVisible() == visible && l.getInFlight() == inFlight) {
        return;
      }
      Thread.sleep(2);
    }
    throw new AssertionError("length stayed " + l);
  }

  @Test
  void methodNumbersFollowDeclarationOrder() {
    assertThat(List.of("Send", "Receive", "Ack", "Nack", "Length", "Configure"))
        .extracting(q::method)
        .containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void messagesAreDeliveredInSendOrderAndAnAckRemovesThem() throws Exception {
    long a = send("jobs", "a");
    long b = send("jobs", "b");
    var r = receive("jobs", 0, 2, 2);
    Delivery da = r.partial(Delivery.parser());
    Delivery db = r.partial(Delivery.parser());
    r.end(Delivery.parser());
    assertThat(List.of(da.getId(), db.getId())).containsExactly(a, b);
    assertThat(da.getBody().toStringUtf8()).isEqualTo("a");
    assertThat(da.getAttempt()).isEqualTo(1);
    assertThat(length("jobs").getInFlight()).isEqualTo(2);
    ack(da);
    ack(db);
    assertThat(length("jobs")).isEqualTo(LengthResponse.getDefaultInstance());
  }

  @Test
  void aReceiveWaitsForAMessageThatIsSentLater() {
    var r = receive("jobs", 0, 1, 1);
    long id = send("jobs", "late");
    assertThat(r.partial(Delivery.parser()).getId()).isEqualTo(id);
  }

  @Test
  void aDeliveryNotAckedWithinItsVisibilityTimeoutIsRedelivered() throws Exception {
    send("jobs", "x");
    var first = receive("jobs", 1000, 1, 1);
    Delivery d1 = first.partial(Delivery.parser());
    first.end(Delivery.parser());
    services.time.advance(Duration.ofMillis(999));
    assertThat(length("jobs").getInFlight()).isEqualTo(1);
    services.time.advance(Duration.ofMillis(1));
    awaitLength("jobs", 1, 0);
    var second = receive("jobs", 1000, 1, 1);
    Delivery d2 = second.partial(Delivery.parser());
    assertThat(d2.getId()).isEqualTo(d1.getId());
    assertThat(d2.getAttempt()).isEqualTo(2);
  }

  @Test
  void anAckOfAnExpiredDeliveryIsAFailedPrecondition() throws Exception {
    send("jobs", "x");
    var r = receive("jobs", 1000, 1, 1);
    Delivery d = r.partial(Delivery.parser());
    services.time.advance(Duration.ofSeconds(1));
    awaitLength("jobs", 1, 0);
    String msg =
        q.call(
                "Ack",
                AckRequest.newBuilder().setQueue("jobs").setId(d.getId()).setAttempt(1).build())
            .error(Code.FAILED_PRECONDITION);
    assertThat(msg).contains("message " + d.getId());
    assertThat(length("jobs").getVisible()).isEqualTo(1);
  }

  @Test
  void aCancelledReceiveGivesItsMessagesBackAtOnce() throws Exception {
    send("jobs", "x");
    var r = receive("jobs", 600_000, 1, 0);
    Delivery d = r.partial(Delivery.parser());
    r.cancel();
    awaitLength("jobs", 1, 0);
    var again = receive("jobs", 0, 1, 1);
    assertThat(again.partial(Delivery.parser()).getId()).isEqualTo(d.getId());
  }

  @Test
  void aDeliveryTheCallerCannotTakeIsGivenBack() throws Exception {
    send("jobs", "x");
    var r = q.call("Receive", ReceiveRequest.newBuilder().setQueue("jobs").build());
    // Not cancelled: the kernel refused the partial result, as for an overflowing caller.
    r.accepting = false;
    var before = receive("jobs", 0, 1, 1);
    before.partial(Delivery.parser());
    before.cancel();
    awaitLength("jobs", 1, 0);
  }

  @Test
  void maxInFlightHoldsDeliveriesBackUntilAnAck() throws Exception {
    send("jobs", "1");
    send("jobs", "2");
    var r = receive("jobs", 0, 1, 0);
    Delivery d1 = r.partial(Delivery.parser());
    assertThat(r.quietFor(100)).isTrue();
    ack(d1);
    assertThat(r.partial(Delivery.parser()).getBody().toStringUtf8()).isEqualTo("2");
    r.cancel();
  }

  @Test
  void aNackMakesTheMessageVisibleAgainWithOneMoreAttempt() throws Exception {
    send("jobs", "x");
    var r = receive("jobs", 0, 1, 0);
    Delivery d1 = r.partial(Delivery.parser());
    assertThat(nack(d1).getDeadLettered()).isFalse();
    Delivery d2 = r.partial(Delivery.parser());
    assertThat(d2.getId()).isEqualTo(d1.getId());
    assertThat(d2.getAttempt()).isEqualTo(2);
    r.cancel();
  }

  @Test
  void aMessageIsDeadLetteredAfterItsMaxAttempts() throws Exception {
    long id = send("jobs", "poison", 2);
    var r = receive("jobs", 0, 1, 0);
    nack(r.partial(Delivery.parser()));
    assertThat(nack(r.partial(Delivery.parser())).getDeadLettered()).isTrue();
    r.cancel();
    assertThat(length("jobs")).isEqualTo(LengthResponse.getDefaultInstance());
    var dead = receive(Queues.DEFAULT_DEAD_LETTER, 0, 1, 1);
    Delivery d = dead.partial(Delivery.parser());
    assertThat(d.getId()).isEqualTo(id);
    assertThat(d.getDeadFrom()).isEqualTo("jobs");
    assertThat(d.getAttempt()).isEqualTo(1);
  }

  @Test
  void aConfiguredQueueDeadLettersWhereAndWhenItSays() throws Exception {
    q.unary(
        "Configure",
        ConfigureRequest.newBuilder()
            .setQueue("jobs")
            .setMaxAttempts(1)
            .setDeadLetterQueue("jobs-dead")
            .build(),
        ConfigureResponse.parser());
    send("jobs", "x");
    var r = receive("jobs", 1000, 1, 1);
    r.partial(Delivery.parser());
    services.time.advance(Duration.ofSeconds(1));
    awaitLength("jobs-dead", 1, 0);
    assertThat(length("jobs").getVisible()).isZero();
  }

  @Test
  void queuesAreScopedPerApp() {
    send("jobs", "x");
    Client other = q.as(new Caller("other", "main", 3));
    assertThat(
            other
                .unary(
                    "Length",
                    LengthRequest.newBuilder().setQueue("jobs").build(),
                    LengthResponse.parser())
                .getVisible())
        .isZero();
  }

  @Test
  void aRestartMakesEveryUnackedDeliveryVisibleAgain() throws Exception {
    send("jobs", "x");
    var r = receive("jobs", 600_000, 1, 1);
    Delivery d = r.partial(Delivery.parser());
    services.close();
    services = new Services(dir);
    q = services.queue();
    assertThat(length("jobs").getVisible()).isEqualTo(1);
    var again = receive("jobs", 0, 1, 1);
    Delivery d2 = again.partial(Delivery.parser());
    assertThat(d2.getId()).isEqualTo(d.getId());
    assertThat(d2.getAttempt()).isEqualTo(2);
  }

  @Test
  void aBadQueueNameIsInvalid() {
    assertThat(
            q.call("Send", SendRequest.newBuilder().setQueue("a b").build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("queue:");
  }

  @Test
  void aBodyOverTheLimitIsInvalid() {
    assertThat(
            q.call(
                    "Send",
                    SendRequest.newBuilder()
                        .setQueue("jobs")
                        .setBody(ByteString.copyFrom(new byte[Queues.MAX_BODY + 1]))
                        .build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("body:");
  }

  @Test
  void maxAttemptsOutOfRangeIsInvalid() {
    assertThat(
            q.call("Send", SendRequest.newBuilder().setQueue("jobs").setMaxAttempts(-1).build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("max_attempts:");
  }

  @Test
  void aVisibilityTimeoutOutOfRangeIsInvalid() {
    assertThat(receive("jobs", -5, 1, 1).error(Code.INVALID_ARGUMENT))
        .startsWith("visibility_timeout_ms:");
  }

  @Test
  void aDeadLetterQueueEqualToTheQueueIsInvalid() {
    assertThat(
            q.call(
                    "Configure",
                    ConfigureRequest.newBuilder()
                        .setQueue("jobs")
                        .setDeadLetterQueue("jobs")
                        .build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("dead_letter_queue:");
  }

  @Test
  void anAckWithoutAnIdIsInvalid() {
    assertThat(
            q.call("Ack", AckRequest.newBuilder().setQueue("jobs").setAttempt(1).build())
                .error(Code.INVALID_ARGUMENT))
        .startsWith("id:");
  }
}
