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
 * A call whose header is not a call's (wrong kind, fields missing, numbers unreadable) fails at
 * once with BAD_ARGUMENT and a message that quotes the header, and never reaches the provider.
 */
class CallHeaderTest {
  private static final String APP = "hdr";

  @TempDir Path dir;

  @Test
  void aGarbledCallHeaderIsABadArgumentAndReachesNoProvider() throws Exception {
    try (var nats = NatsServer.start(dir.resolve("nats"));
        var b = JavaProviderNode.start(nats.url(), APP, "b", Duration.ofMillis(500));
        var caller = new RawCaller(nats.url(), "main")) {
      for (String bad :
          new String[] {
            "",
            "c",
            "p p=main/1 c=65536 b=1048576",
            "c p=main/1 c=65536",
            "c p=main/1 b=1048576",
            "c p=main/1 c=0 b=1048576",
            "c p=main/1 c=-1 b=1048576",
            "c p=main/1 c=lots b=1048576",
            "c p=main c=65536 b=1048576",
            "c p=main/ c=65536 b=1048576",
            "c p=main/x c=65536 b=1048576",
            "c p=/1 c=65536 b=1048576",
            "c p=Main/1 c=65536 b=1048576",
            "c p=main/1234567890123456789 c=65536 b=1048576",
            "c P=main/1 C=65536 B=1048576",
          }) {
        caller.call(APP, JavaProviderNode.NAME, 1, bad);
        Message fail = caller.next();
        assertThat(Fields.of(fail).kind()).as("'%s'", bad).isEqualTo(Wire.FAIL);
        assertThat(Fields.of(fail).text(Wire.CODE))
            .as("'%s'", bad)
            .isEqualTo(Integer.toString(Errno.BAD_ARGUMENT.negative()));
        assertThat(new String(fail.getData(), StandardCharsets.UTF_8))
            .as("'%s'", bad)
            .contains("a call without a valid kind, caller, credit or bound: " + bad);
      }

      // None of them reached the provider: the next call it sees is this well-formed one.
      caller.call(APP, JavaProviderNode.NAME, 7, "c p=main/1 c=65536 b=1048576");
      assertThat(b.next().method()).isEqualTo(7);
    }
  }
}
