package dev.parigot.protoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.DynamicMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated client and server of hello.v1.Greeter, run against the guest's fake runtime, which
 * logs every call they make to it.
 */
class ServiceStubTest {
  private static final int INVALID_ARGUMENT = 3, UNIMPLEMENTED = 12, PG_E_NOMEM = -1002;
  private Guest guest;

  /** One call to the fake runtime: kind 'I' invoke, 'P' partial, 'E' end, 'F' fail, 'R' result. */
  record Answer(char kind, int code, byte[] data) {
    String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void start() {
    guest = new Guest();
  }

  @Test
  void aUnaryCallIsDecodedHandledAndRepliedWithEnd() throws Exception {
    List<Answer> log = serve(1, message("hello.v1.GreetRequest", "name", "Ada"), 0);

    assertThat(log).hasSize(1);
    assertThat(log.get(0).kind()).isEqualTo('E');
    assertThat(parse("hello.v1.GreetReply", log.get(0).data()))
        .isEqualTo(
            parse(
                "hello.v1.GreetReply", message("hello.v1.GreetReply", "greeting", "Hello, Ada!")));
  }

  @Test
  void aServerStreamingCallSendsPartialsThenEnd() throws Exception {
    List<Answer> log = serve(2, message("hello.v1.CountRequest", "to", 3), 0);

    assertThat(log).extracting(Answer::kind).containsExactly('P', 'P', 'P', 'E');
    List<Object> counted = new ArrayList<>();
    for (Answer a : log.subList(0, 3)) {
      DynamicMessage m = parse("hello.v1.CountReply", a.data());
      counted.add(m.getField(m.getDescriptorForType().findFieldByName("n")));
    }
    assertThat(counted).containsExactly(1, 2, 3);
    assertThat(log.get(3).data()).isEmpty();
  }

  @Test
  void aMalformedRequestFailsWithInvalidArgument() {
    assertThat(serve(1, new byte[] {0x0a, 0x05}, 0))
        .extracting(Answer::kind, Answer::code, Answer::text)
        .containsExactly(tuple('F', INVALID_ARGUMENT, "hello.v1.Greeter: malformed request"));
  }

  @Test
  void anUnknownMethodOrAMissingHandlerFailsWithUnimplemented() {
    for (int method : new int[] {0, 3, -1}) {
      assertThat(serve(method, new byte[0], 0))
          .extracting(Answer::kind, Answer::code, Answer::text)
          .containsExactly(tuple('F', UNIMPLEMENTED, "hello.v1.Greeter: no such method"));
    }
    assertThat(serve(2, new byte[0], Guest.WITHOUT_COUNT))
        .extracting(Answer::kind, Answer::code)
        .containsExactly(tuple('F', UNIMPLEMENTED));
  }

  @Test
  void aHandlerThatAwaitsKeepsItsRequestWhileTheLoopDispatchesAnotherCall() throws Exception {
    var d = TestProtos.message("hello.v1.GreetRequest");
    byte[] outer =
        DynamicMessage.newBuilder(d)
            .setField(d.findFieldByName("name"), "Ada")
            .addRepeatedField(d.findFieldByName("tags"), "a")
            .addRepeatedField(d.findFieldByName("tags"), "b")
            .build()
            .toByteArray();

    List<Answer> log = serve(1, outer, Guest.NESTED);

    // The nested call's tags were decoded into the same dispatcher arena: above the outer ones.
    assertThat(log).extracting(Answer::kind).containsExactly('E', 'E');
    assertThat(greeting(log.get(0))).isEqualTo("Hello, inner! #x #y #z");
    assertThat(greeting(log.get(1))).isEqualTo("Hello, Ada! #a #b");
  }

  @Test
  void serveAsExportsTheContractUnderEachNameWithItsOwnContext() throws Exception {
    // Five names: PG_SERVE_NAMES (4) are taken, the fifth is refused.
    assertThat(guest.serveAsNames()).isEqualTo(PG_E_NOMEM);
    byte[] ada = message("hello.v1.GreetRequest", "name", "Ada");

    String[] salutations = {"Hi, ", "Bye, ", "C, ", "D, "};
    for (int name = 0; name < salutations.length; name++) {
      List<Answer> log = log(guest.serveTo(name, ada));
      assertThat(log).extracting(Answer::kind).containsExactly('E');
      assertThat(greeting(log.get(0))).isEqualTo(salutations[name] + "Ada!");
    }
    assertThat(guest.serveTo(4, ada)).as("the refused fifth name is not exported").isNull();
  }

  @Test
  void theClientEncodesTheRequestAndDecodesTheResult() throws Exception {
    for (boolean inFuture : new boolean[] {false, true}) {
      assertThat(guest.clientGreet(0, inFuture)).isZero();

      List<Answer> log = log(guest.output(1024));
      assertThat(log)
          .extracting(Answer::kind, Answer::code)
          .containsExactly(tuple('I', 1), tuple('R', 0));
      assertThat(parse("hello.v1.GreetRequest", log.get(0).data()))
          .isEqualTo(
              parse("hello.v1.GreetRequest", message("hello.v1.GreetRequest", "name", "world")));
      assertThat(log.get(1).text()).isEqualTo("hi");
    }
  }

  @Test
  void theClientReturnsKernelErrorsAndApplicationCodesAsTheyCame() {
    for (boolean inFuture : new boolean[] {false, true}) {
      assertThat(guest.clientGreet(-3, inFuture)).isEqualTo(-3);
      assertThat(guest.clientGreet(42, inFuture)).isEqualTo(42);
    }
  }

  private List<Answer> serve(int method, byte[] request, int flags) {
    return log(guest.serve(method, request, flags));
  }

  private static String greeting(Answer a) throws Exception {
    DynamicMessage m = parse("hello.v1.GreetReply", a.data());
    return (String) m.getField(m.getDescriptorForType().findFieldByName("greeting"));
  }

  private static List<Answer> log(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Answer> out = new ArrayList<>();
    while (b.remaining() >= 9 && b.get(b.position()) != 0) {
      char kind = (char) b.get();
      int code = b.getInt();
      int len = b.getInt();
      byte[] data = Arrays.copyOfRange(bytes, b.position(), b.position() + len);
      b.position(b.position() + len);
      out.add(new Answer(kind, code, data));
    }
    return out;
  }

  private static byte[] message(String type, String field, Object value) throws Exception {
    var d = TestProtos.message(type);
    return DynamicMessage.newBuilder(d)
        .setField(d.findFieldByName(field), value)
        .build()
        .toByteArray();
  }

  private static DynamicMessage parse(String type, byte[] bytes) throws Exception {
    return DynamicMessage.parseFrom(TestProtos.message(type), bytes);
  }
}
