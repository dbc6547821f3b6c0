package dev.parigot.cluster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void everyByteStringComesBackFromItsTokenWhichNatsAccepts() {
    var random = new Random(14);
    for (int n = 0; n < 2000; n++) {
      byte[] bytes = new byte[1 + random.nextInt(40)];
      random.nextBytes(bytes);
      String token = Tokens.encode(bytes);
      assertThat(token).matches("[-/_=A-Za-z0-9]+");
      assertThat(Tokens.decode(token)).isEqualTo(bytes);
    }
  }

  @Test
  void lettersDigitsAndSlashesStayReadable() {
    assertThat(Tokens.encode("users/42_a-b".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("users/42_a-b");
    assertThat(Tokens.encode("a.b=c é".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("a=2Eb=3Dc=20=C3=A9");
  }

  @Test
  void aTokenThatNoKeyEncodesToIsRefused() {
    assertThatThrownBy(() -> Tokens.decode("ab=4")).hasMessageContaining("cut escape");
    assertThatThrownBy(() -> Tokens.decode("ab=ZZ")).hasMessageContaining("bad escape");
    assertThatThrownBy(() -> Tokens.decode("a.b")).hasMessageContaining("'.'");
  }
}
