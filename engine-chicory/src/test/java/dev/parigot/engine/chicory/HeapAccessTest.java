package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Both ways to reach a memory's array read and write the same little-endian bytes. */
class HeapAccessTest {
  private static final int SIZE = 64;

  @Test
  void theTestsRunWithTheDirectAccess() {
    assertThat(HeapAccess.best()).isInstanceOf(HeapAccess.Direct.class);
  }

  @Test
  void bothWriteTheSameBytesAndReadBackWhatEitherWrote() {
    var random = new SplittableRandom(23);
    HeapAccess direct = new HeapAccess.Direct();
    HeapAccess views = new HeapAccess.Views();
    byte[] a = new byte[SIZE];
    byte[] b = new byte[SIZE];
    for (int round = 0; round < 2_000; round++) {
      int width = 1 << random.nextInt(4);
      int index = random.nextInt(SIZE - width + 1); // aligned or not
      long value = random.nextLong();
      put(direct, a, index, width, value);
      put(views, b, index, width, value);
      assertThat(a).isEqualTo(b);
      assertThat(get(direct, b, index, width)).isEqualTo(get(views, a, index, width));
    }
  }

  @Test
  void theLowByteComesFirst() {
    byte[] array = new byte[16];
    new HeapAccess.Direct().putLong(array, 3, 0x0102030405060708L);
    assertThat(array[3]).isEqualTo((byte) 0x08);
    assertThat(array[10]).isEqualTo((byte) 0x01);
    assertThat(new HeapAccess.Views().getInt(array, 3)).isEqualTo(0x05060708);
    assertThat(new HeapAccess.Direct().getShort(array, 9)).isEqualTo((short) 0x0102);
  }

  @Test
  void floatsAndDoublesKeepTheirBitsBothWays() {
    byte[] array = new byte[16];
    float nan = Float.intBitsToFloat(0x7fa00001);
    for (HeapAccess access : new HeapAccess[] {new HeapAccess.Direct(), new HeapAccess.Views()}) {
      access.putFloat(array, 1, nan);
      assertThat(Float.floatToRawIntBits(access.getFloat(array, 1))).isEqualTo(0x7fa00001);
      access.putDouble(array, 5, -0.0);
      assertThat(Double.doubleToRawLongBits(access.getDouble(array, 5))).isEqualTo(Long.MIN_VALUE);
    }
  }

  private static long get(HeapAccess access, byte[] array, int index, int width) {
    return switch (width) {
      case 1 -> access.getByte(array, index);
      case 2 -> access.getShort(array, index);
      case 4 -> access.getInt(array, index);
      default -> access.getLong(array, index);
    };
  }

  private static void put(HeapAccess access, byte[] array, int index, int width, long value) {
    switch (width) {
      case 1 -> access.putByte(array, index, (byte) value);
      case 2 -> access.putShort(array, index, (short) value);
      case 4 -> access.putInt(array, index, (int) value);
      default -> access.putLong(array, index, value);
    }
  }
}
