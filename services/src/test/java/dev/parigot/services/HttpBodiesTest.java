package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.kernel.Caller;
import dev.parigot.kernel.conformance.ThreadDump;
import dev.parigot.services.proto.HttpProto.BodyChunk;
import dev.parigot.services.proto.HttpProto.ReadBodyRequest;
import dev.parigot.services.proto.StatusProto.Code;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parigot.http.v1.Body through the Provider SPI, with bodies registered as the ingress does (the
 * socket end to end is in HttpIngressTest): who may read a body, and for how long.
 */
class HttpBodiesTest {
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

  private HttpBodies.Body body(String app, String head, String rest, long max) {
    return services
        .services
        .bodies()
        .register(
            app,
            head.getBytes(StandardCharsets.UTF_8),
            new ByteArrayInputStream(rest.getBytes(StandardCharsets.UTF_8)),
            max);
  }

  private static ReadBodyRequest read(HttpBodies.Body b, int chunk) {
    return ReadBodyRequest.newBuilder().setBodyId(b.id()).setChunkBytes(chunk).build();
  }

  /** Reads a whole body: the PARTIALs and the END, concatenated. */
  private static String all(Client.Call call) {
    var out = new ByteArrayOutputStream();
    while (true) {
      Client.Answer a = call.next();
      assertThat(a.kind()).as("%s %s", a.code(), a.text()).isIn("PARTIAL", "END");
      BodyChunk c;
      try {
        c = BodyChunk.parseFrom(a.payload());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      out.writeBytes(c.getData().toByteArray());
      if (a.kind().equals("END")) {
        return out.toString(StandardCharsets.UTF_8);
      }
    }
  }

  @Test
  void theOwningAppReadsTheBodyInChunksOnce() {
    HttpBodies.Body b = body(Services.CALLER.app(), "hello ", "wide world", 100);
    Client.Call call = services.body().call("Read", read(b, 4));
    assertThat(all(call)).isEqualTo("hello wide world");

    String second = services.body().call("Read", read(b, 4)).error(Code.NOT_FOUND);
    assertThat(second).contains("unknown, already read or expired");
  }

  @Test
  void nothingIsReadFromTheSocketWhileTheReaderIsNotReadyAndNoThreadWaitsForIt() throws Exception {
    byte[] rest = "0123456789".repeat(30_000).getBytes(StandardCharsets.US_ASCII);
    var socket = new CountingStream(rest);
    HttpBodies.Body b =
        services.services.bodies().register(Services.CALLER.app(), new byte[0], socket, 1 << 20);
    var call = new Client.Call();
    call.ready(false);
    services.body().call("Read", read(b, 64 * 1024), call);

    call.awaited.get(30, TimeUnit.SECONDS);
    ThreadDump dump = ThreadDump.take(dir);
    // The handler's thread returns once it registered its callback.
    for (int i = 0; i < 1000 && !dump.in("Call", "stream").isEmpty(); i++) {
      dump = ThreadDump.take(dir);
    }
    assertThat(dump.in("Call", "stream")).isEmpty();
    assertThat(dump.in("Reading", "next")).isEmpty();
    assertThat(socket.taken()).as("bytes read from the socket").isZero();

    call.ready(true);
    assertThat(all(call)).isEqualTo(new String(rest, StandardCharsets.US_ASCII));
  }

  @Test
  void aReadWaitingForItsReaderFailsWhenTheExchangeEnds() throws Exception {
    HttpBodies.Body b = body(Services.CALLER.app(), "", "x".repeat(200_000), 1 << 20);
    var call = new Client.Call();
    call.ready(false);
    services.body().call("Read", read(b, 1024), call);
    call.awaited.get(30, TimeUnit.SECONDS);

    b.expire();

    assertThat(call.error(Code.NOT_FOUND)).contains("unknown, already read or expired");
  }

  /** A request body's socket that counts what was read from it. */
  private static final class CountingStream extends ByteArrayInputStream {
    CountingStream(byte[] bytes) {
      super(bytes);
    }

    synchronized int taken() {
      return pos;
    }
  }

  @Test
  void anotherAppsReadIsRefusedAndLeavesTheBodyToItsOwner() {
    HttpBodies.Body b = body(Services.CALLER.app(), "mine", "", 100);
    services
        .body()
        .as(new Caller("other", "main", 3))
        .call("Read", read(b, 0))
        .error(Code.NOT_FOUND);
    assertThat(all(services.body().call("Read", read(b, 0)))).isEqualTo("mine");
  }

  @Test
  void anExpiredOrUnknownIdIsNotFound() {
    HttpBodies.Body b = body(Services.CALLER.app(), "late", "", 100);
    b.expire();
    services.body().call("Read", read(b, 0)).error(Code.NOT_FOUND);
    services
        .body()
        .call("Read", ReadBodyRequest.newBuilder().setBodyId(12345).build())
        .error(Code.NOT_FOUND);
  }

  @Test
  void aBodyPastItsLimitFailsAndBadFieldsAreInvalid() {
    HttpBodies.Body b = body(Services.CALLER.app(), "0123456789", "abc", 12);
    Client.Call call = services.body().call("Read", read(b, 5));
    call.next();
    call.next();
    assertThat(call.error(Code.RESOURCE_EXHAUSTED)).contains("larger than 12 bytes");

    services.body().call("Read", ReadBodyRequest.getDefaultInstance()).error(Code.INVALID_ARGUMENT);
    HttpBodies.Body c = body(Services.CALLER.app(), "x", "", 100);
    assertThat(
            services
                .body()
                .call("Read", read(c, HttpBodies.MAX_CHUNK + 1))
                .error(Code.INVALID_ARGUMENT))
        .startsWith("chunk_bytes:");
  }
}
