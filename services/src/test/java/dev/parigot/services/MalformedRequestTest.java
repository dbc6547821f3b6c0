package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.parigot.services.proto.ClockProto;
import dev.parigot.services.proto.FileProto;
import dev.parigot.services.proto.HttpProto;
import dev.parigot.services.proto.KvProto;
import dev.parigot.services.proto.KvProto.GetRequest;
import dev.parigot.services.proto.KvProto.GetResponse;
import dev.parigot.services.proto.KvProto.PutRequest;
import dev.parigot.services.proto.KvProto.PutResponse;
import dev.parigot.services.proto.LogProto;
import dev.parigot.services.proto.QueueProto;
import dev.parigot.services.proto.QueueProto.LengthRequest;
import dev.parigot.services.proto.QueueProto.LengthResponse;
import dev.parigot.services.proto.QueueProto.SendRequest;
import dev.parigot.services.proto.QueueProto.SendResponse;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.proto.TestProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every method of every service, fed bytes that do not decode as its request. */
class MalformedRequestTest {
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

  static Stream<Arguments> methods() {
    return Stream.of(
            KvProto.getDescriptor(),
            QueueProto.getDescriptor(),
            LogProto.getDescriptor(),
            ClockProto.getDescriptor(),
            FileProto.getDescriptor(),
            TestProto.getDescriptor(),
            HttpProto.getDescriptor())
        .flatMap(f -> f.getServices().stream())
        // Guests implement Handler; the kernel serves Client and Body.
        .filter(s -> !s.getFullName().equals("parigot.http.v1.Handler"))
        .flatMap(s -> s.getMethods().stream())
        .map(m -> Arguments.of(m.getService().getName(), m.getName()));
  }

  private Client client(String service) {
    return switch (service) {
      case "KV" -> services.kv();
      case "Queue" -> services.queue();
      case "Log" -> services.log();
      case "Clock" -> services.clock();
      case "File" -> services.file();
      case "Test" -> services.test();
      case "Client" -> services.http();
      case "Body" -> services.body();
      default -> throw new IllegalArgumentException(service);
    };
  }

  /**
   * Inputs that cannot decode as {@code m}'s request: hand-made ones (a zero tag, a truncated
   * length, an end-group tag, a string that is not UTF-8) and random bytes the parser refuses.
   */
  static List<byte[]> malformed(MethodDescriptor m, long seed) {
    var inputs =
        new ArrayList<byte[]>(
            List.of(
                new byte[] {0x00},
                new byte[] {0x0a, 0x05, 'a'},
                new byte[] {0x0c},
                new byte[] {(byte) 0x80}));
    // Field 1 is a string in most requests; where it is, invalid UTF-8 must be refused too.
    if (!m.getInputType().getFields().isEmpty()
        && m.getInputType().getFields().getFirst().getType()
            == com.google.protobuf.Descriptors.FieldDescriptor.Type.STRING) {
      inputs.add(new byte[] {0x0a, 0x02, (byte) 0xc3, 0x28});
    }
    var random = new Random(seed);
    while (inputs.size() < 40) {
      byte[] b = new byte[1 + random.nextInt(64)];
      random.nextBytes(b);
      if (!decodes(m, b)) {
        inputs.add(b);
      }
    }
    return inputs;
  }

  private static boolean decodes(MethodDescriptor m, byte[] b) {
    try {
      DynamicMessage.parseFrom(m.getInputType(), b);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  @ParameterizedTest(name = "{0}.{1}")
  @MethodSource("methods")
  void undecodableRequestsAreInvalidAndLeaveTheStoreIntact(String service, String method) {
    Client kv = services.kv();
    Client queue = services.queue();
    long rev =
        kv.unary(
                "Put",
                PutRequest.newBuilder()
                    .setBucket("b")
                    .setKey("k")
                    .setValue(ByteString.copyFromUtf8("v"))
                    .build(),
                PutResponse.parser())
            .getRevision();
    queue.unary("Send", SendRequest.newBuilder().setQueue("q").build(), SendResponse.parser());

    Client c = client(service);
    MethodDescriptor m = c.service.findMethodByName(method);
    for (byte[] input : malformed(m, service.hashCode() * 31L + method.hashCode())) {
      String msg = c.call(c.method(method), input).error(Code.INVALID_ARGUMENT);
      assertThat(msg).startsWith("malformed " + m.getFullName() + " request");
    }

    assertThat(
            kv.unary(
                    "Get",
                    GetRequest.newBuilder().setBucket("b").setKey("k").build(),
                    GetResponse.parser())
                .getEntry()
                .getRevision())
        .isEqualTo(rev);
    assertThat(
            queue
                .unary(
                    "Length",
                    LengthRequest.newBuilder().setQueue("q").build(),
                    LengthResponse.parser())
                .getVisible())
        .isEqualTo(1);
  }
}
