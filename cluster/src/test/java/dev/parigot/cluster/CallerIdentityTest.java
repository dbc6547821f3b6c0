package dev.parigot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.abi.Errno;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider takes the caller header's program only with that program's inbox as the reply subject:
 * only its NATS user may subscribe there, so a node that claims to be another program cannot read
 * the answer, and is refused outright.
 */
class CallerIdentityTest {
  private static final String APP = "who";

  @TempDir Path dir;

  @Test
  void aCallClaimingAProgramWhoseInboxItIsNotAnsweredInIsNotPermitted() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"));
        var b = JavaProviderNode.start(nats.url(), APP, "b", Duration.ofMillis(500));
        var mallory = new RawCaller(nats.url(), "mallory")) {
      // Main's name on mallory's inbox; and "mai", whose inbox prefix main's subjects do not
      // start with (the prefix ends in a dot).
      for (String forged : new String[] {"main/1", "mai/1", "mallor/2"}) {
        mallory.call(APP, JavaProviderNode.NAME, 1, RawCaller.fields(forged));
        Message fail = mallory.next();
        assertThat(Fields.of(fail).kind()).as(forged).isEqualTo(Wire.FAIL);
        assertThat(Fields.of(fail).text(Wire.CODE))
            .as(forged)
            .isEqualTo(Integer.toString(Errno.NOT_PERMITTED.negative()));
        assertThat(new String(fail.getData(), StandardCharsets.UTF_8))
            .contains("_INBOX_" + forged.substring(0, forged.indexOf('/')) + ".");
      }

      // Mallory as itself is served, and the provider sees who called: none of the forged calls
      // reached it before.
      mallory.call(APP, JavaProviderNode.NAME, 7, RawCaller.fields("mallory/3"));
      var call = b.next();
      assertThat(call.method()).isEqualTo(7);
      assertThat(call.caller().program()).isEqualTo("mallory");
      assertThat(call.caller().pid()).isEqualTo(3);
      call.replies().end("hi".getBytes(StandardCharsets.UTF_8));
      Message end = mallory.next();
      assertThat(Fields.of(end).kind()).isEqualTo(Wire.END);
      assertThat(end.getData()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
    }
  }
}
