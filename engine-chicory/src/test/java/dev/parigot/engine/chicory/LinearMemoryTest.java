package dev.parigot.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.parigot.engine.spi.HeapBudget;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A process's memory: wasm's bounds, growth and bulk operations over one flat array. */
class LinearMemoryTest {
  private static final int PAGE = Memory.PAGE_SIZE;

  private static LinearMemory memory(int initial, int maximum) {
    return new LinearMemory(new MemoryLimits(initial, maximum));
  }

  @Test
  void valuesAreLittleEndianAndRoundTripAtEveryWidth() {
    var m = memory(1, 1);
    m.writeLong(8, 0x0102030405060708L);
    assertThat(m.read(8)).isEqualTo((byte) 0x08);
    assertThat(m.readInt(8)).isEqualTo(0x05060708);
    assertThat(m.readShort(8)).isEqualTo((short) 0x0708);
    m.writeShort(100, (short) -2);
    assertThat(m.readU16(100)).isEqualTo(0xfffeL);
    m.writeF32(200, 1.5f);
    assertThat(m.readFloat(200)).isEqualTo(1.5f);
    assertThat(m.readF32(200)).isEqualTo(Float.floatToRawIntBits(1.5f));
    m.writeF64(PAGE - 8, -2.25);
    assertThat(m.readDouble(PAGE - 8)).isEqualTo(-2.25);
    assertThat(m.readF64(PAGE - 8)).isEqualTo(Double.doubleToRawLongBits(-2.25));
    m.writeByte(PAGE - 1, (byte) 7);
    assertThat(m.read(PAGE - 1)).isEqualTo((byte) 7);
  }

  @ParameterizedTest(name = "{0}-byte access")
  @ValueSource(ints = {1, 2, 4, 8})
  void anAccessReachingPastTheEndOrBelowZeroTraps(int width) {
    var m = memory(1, 4);
    IntConsumer read =
        switch (width) {
          case 1 -> m::read;
          case 2 -> m::readShort;
          case 4 -> m::readInt;
          default -> m::readLong;
        };
    read.accept(PAGE - width);
    for (int addr : new int[] {PAGE - width + 1, PAGE, -1, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> read.accept(addr))
          .as("address %s", Integer.toUnsignedString(addr))
          .isInstanceOf(WasmRuntimeException.class)
          .hasMessageStartingWith("out of bounds memory access");
    }
  }

  @Test
  void growReturnsTheOldSizeAndOnlyTheGrownPagesBecomeReachable() {
    var m = memory(1, 10);
    assertThat(m.grow(0)).isEqualTo(1);
    assertThat(m.grow(2)).isEqualTo(1);
    assertThat(m.pages()).isEqualTo(3);
    m.writeLong(3 * PAGE - 8, 42);
    assertThat(m.readLong(3 * PAGE - 8)).isEqualTo(42);
    // The array underneath may be larger than three pages; the memory is not.
    assertThatThrownBy(() -> m.read(3 * PAGE)).isInstanceOf(WasmRuntimeException.class);
    assertThat(m.grow(1)).isEqualTo(3);
    assertThat(m.read(3 * PAGE)).as("a grown page starts zeroed").isZero();
  }

  @Test
  void growPastTheMaximumOrByANegativeCountFailsAndChangesNothing() {
    var m = memory(1, 2);
    assertThat(m.grow(2)).isEqualTo(-1);
    assertThat(m.grow(-1)).isEqualTo(-1);
    assertThat(m.grow(Integer.MAX_VALUE)).isEqualTo(-1);
    assertThat(m.pages()).isEqualTo(1);
    assertThat(m.grow(1)).isEqualTo(1);
    assertThat(m.grow(1)).isEqualTo(-1);
  }

  @Test
  void growingAPageAtATimeKeepsEveryByteWritten() {
    var m = memory(0, 64);
    for (int page = 0; page < 64; page++) {
      assertThat(m.grow(1)).isEqualTo(page);
      m.writeI32(page * PAGE, page + 1);
    }
    for (int page = 0; page < 64; page++) {
      assertThat(m.readInt(page * PAGE)).isEqualTo(page + 1);
    }
  }

  @Test
  void aMaximumAboveWhatAJavaArrayHoldsIsLoweredAndAnInitialSizeAboveItIsRefused() {
    assertThat(memory(1, MemoryLimits.MAX_PAGES).maximumPages()).isEqualTo(LinearMemory.MAX_PAGES);
    assertThatThrownBy(() -> memory(LinearMemory.MAX_PAGES + 1, MemoryLimits.MAX_PAGES))
        .isInstanceOf(ChicoryException.class)
        .hasMessageContaining("exceeds " + LinearMemory.MAX_PAGES);
  }

  @Test
  void sharedMemoryAndWaitingOnItAreRefused() {
    assertThatThrownBy(() -> new LinearMemory(new MemoryLimits(1, 1, true)))
        .isInstanceOf(ChicoryException.class)
        .hasMessageContaining("single-threaded");
    var m = memory(1, 1);
    assertThatThrownBy(() -> m.waitOn(0, 0, 0L)).isInstanceOf(WasmRuntimeException.class);
    assertThat(m.notify(0, 1)).as("nobody waits on unshared memory").isZero();
  }

  @Test
  void bulkOperationsCheckBothEndsAndCopyOverlappingRanges() {
    var m = memory(1, 1);
    m.write(0, new byte[] {1, 2, 3, 4, 5}, 0, 5);
    m.copy(2, 0, 5);
    assertThat(m.readBytes(0, 7)).containsExactly(1, 2, 1, 2, 3, 4, 5);
    m.copy(0, 2, 5);
    assertThat(m.readBytes(0, 5)).containsExactly(1, 2, 3, 4, 5);
    m.fill((byte) 9, 10, 13);
    assertThat(m.readBytes(9, 5)).containsExactly(0, 9, 9, 9, 0);

    assertThatThrownBy(() -> m.copy(PAGE - 2, 0, 3)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.copy(0, PAGE - 2, 3)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.fill((byte) 1, PAGE - 2, PAGE + 1))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.readBytes(PAGE - 2, 3)).isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.write(PAGE - 2, new byte[3], 0, 3))
        .isInstanceOf(WasmRuntimeException.class);
    assertThatThrownBy(() -> m.write(0, new byte[3], 1, 3))
        .as("past the end of the source")
        .isInstanceOf(WasmRuntimeException.class);
    assertThat(m.readBytes(PAGE - 2, 2))
        .as("nothing was written by a failed write")
        .containsOnly(0);
    m.copy(PAGE, PAGE, 0);
    assertThat(m.readBytes(PAGE, 0)).as("an empty range at the end is in bounds").isEmpty();
  }

  @Test
  void zeroClearsTheWholeMemory() {
    var m = memory(2, 2);
    m.fill((byte) 5, 0, 2 * PAGE);
    m.zero();
    assertThat(m.readBytes(0, 2 * PAGE)).containsOnly(0);
  }

  @Test
  void theInitialPagesAreChargedToTheBudgetOrTheMemoryIsNotMade() {
    var budget = new Budget(3 * PAGE);
    new LinearMemory(new MemoryLimits(2, 10), budget);
    assertThat(budget.used).isEqualTo(2 * PAGE);

    assertThatThrownBy(() -> new LinearMemory(new MemoryLimits(2, 10), budget))
        .isInstanceOf(ChicoryException.class)
        .hasMessage(
            "initial memory of 131072 bytes does not fit a budget of 196608 bytes; the process"
                + " cannot start");
    assertThat(budget.used).isEqualTo(2 * PAGE);
  }

  @Test
  void aGrowTheBudgetRefusesReturnsMinusOneAndLeavesTheMemoryAsItWas() {
    var budget = new Budget(4 * PAGE);
    var m = new LinearMemory(new MemoryLimits(1, 100), budget);
    m.writeByte(PAGE - 1, (byte) 9);

    // The new array is charged while the old one is still held: 1 + 4 pages do not fit.
    assertThat(m.grow(3)).isEqualTo(-1);
    assertThat(m.pages()).isEqualTo(1);
    assertThat(m.read(PAGE - 1)).isEqualTo((byte) 9);
    assertThat(budget.used).isEqualTo(PAGE);
  }

  @Test
  void whenTheDoubledArrayDoesNotFitTheExactSizeMayAndTheOldArrayIsGivenBack() {
    var budget = new Budget(9 * PAGE);
    var m = new LinearMemory(new MemoryLimits(4, 100), budget);

    // Doubling would take 8 pages while the old 4 are held; exactly 5 fit.
    assertThat(m.grow(1)).isEqualTo(4);
    assertThat(m.capacity()).isEqualTo(5L * PAGE);
    assertThat(budget.used).isEqualTo(5 * PAGE);
    assertThat(m.grow(1)).as("6 pages with the 5 held").isEqualTo(-1);
  }

  /** A host's budget of {@code cap} bytes. */
  private static final class Budget implements HeapBudget {
    private final long cap;
    long used;

    Budget(long cap) {
      this.cap = cap;
    }

    @Override
    public boolean reserve(long bytes) {
      if (used + bytes > cap) {
        return false;
      }
      used += bytes;
      return true;
    }

    @Override
    public void release(long bytes) {
      used -= bytes;
    }

    @Override
    public String toString() {
      return "a budget of " + cap + " bytes";
    }
  }
}
