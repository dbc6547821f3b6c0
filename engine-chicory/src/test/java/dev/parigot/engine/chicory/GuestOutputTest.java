package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A guest's output reaches the kernel as whole lines, however the guest cuts its writes. */
class GuestOutputTest {
  private final List<String> lines = new ArrayList<>();
  private final GuestOutput out = new GuestOutput(lines::add);

  @Test
  void oneWriteOfSeveralLinesGivesEachLine() {
    write("one\ntwo\n\nthree\n");

    assertThat(lines).containsExactly("one", "two", "", "three");
  }

  @Test
  void aLineWrittenInPiecesAndByteByByteIsOneLine() {
    write("hel");
    write("lo, ");
    for (byte b : "world\n".getBytes(StandardCharsets.UTF_8)) {
      out.write(b);
    }

    assertThat(lines).containsExactly("hello, world");
  }

  @Test
  void aCharacterSplitAcrossWritesIsDecodedWhole() {
    byte[] euro = "\u20ac\n".getBytes(StandardCharsets.UTF_8);
    out.write(euro, 0, 1);
    out.write(euro, 1, euro.length - 1);

    assertThat(lines).containsExactly("\u20ac");
  }

  @Test
  void carriageReturnBeforeTheNewlineIsDropped() {
    write("dos\r\nunix\n");

    assertThat(lines).containsExactly("dos", "unix");
  }

  @Test
  void onlyTheWrittenRangeOfTheArrayCounts() {
    byte[] b = "xxab\ncdyy".getBytes(StandardCharsets.UTF_8);
    out.write(b, 2, 5);
    out.close();

    assertThat(lines).containsExactly("ab", "cd");
  }

  @Test
  void aRangeOutsideTheArrayIsRefused() {
    assertThatThrownBy(() -> out.write(new byte[4], 2, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> out.write(new byte[4], -1, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void anEndlessLineIsCutIntoPiecesOfTheMaximum() {
    String max = "a".repeat(GuestOutput.MAX_LINE);
    write(max + max + "tail\n" + max + "\n");

    assertThat(lines).containsExactly(max, max, "tail", max);
  }

  @Test
  void closeEmitsAnUnfinishedLineAndNothingElse() {
    write("done\nhalf");
    out.close();
    out.close();

    assertThat(lines).containsExactly("done", "half");
  }

  private void write(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }
}
