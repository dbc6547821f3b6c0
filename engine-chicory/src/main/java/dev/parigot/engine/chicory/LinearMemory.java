package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import dev.parigot.engine.spi.GuestMemory;
import dev.parigot.engine.spi.HeapBudget;
import java.util.Arrays;
import java.util.Objects;

/**
 * A process's linear memory: one flat {@code byte[]}, so that a guest load or store is one bounds
 * check and one array access the JIT can hoist out of a loop.
 *
 * <p>The array's capacity grows geometrically and may be larger than the memory; every access is
 * checked against the memory's size, not the capacity, and the size never exceeds the capacity:
 * with {@link HeapAccess}'s direct access that check is the only one. A memory is at most {@link
 * #MAX_PAGES} pages (2 GiB less one page), the largest Java array. It belongs to one process and is
 * used from that process's thread only: shared memory and the wait/notify atomics are not
 * supported.
 *
 * <p>The array is charged to the process's {@link HeapBudget} before it is allocated: at creation,
 * and at each grow that needs a larger array, for the new array while the old one is still held
 * (both are live during the copy), giving the old one back after. A grow the budget refuses returns
 * -1.
 */
final class LinearMemory implements Memory, GuestMemory {
  /** The largest memory a Java array holds: 32767 pages of 64 KiB. */
  static final int MAX_PAGES = Integer.MAX_VALUE / PAGE_SIZE;

  /** A static final constant: the JIT knows its class and inlines its methods. */
  private static final HeapAccess HEAP = HeapAccess.best();

  private final int initialPages;
  private final int maximumPages;
  private final HeapBudget heap;
  private byte[] bytes;
  private int size;
  private DataSegment[] segments = new DataSegment[0];

  /** A memory charged to no budget. */
  LinearMemory(MemoryLimits limits) {
    this(limits, HeapBudget.UNLIMITED);
  }

  /**
   * @throws ChicoryException if the limits ask for shared memory or more than {@link #MAX_PAGES}
   *     pages to start with, or the budget refuses the initial pages
   */
  LinearMemory(MemoryLimits limits, HeapBudget heap) {
    if (limits.shared()) {
      throw new ChicoryException("shared memory is not supported: a process is single-threaded");
    }
    if (limits.initialPages() > MAX_PAGES) {
      throw new ChicoryException(
          "initial memory of " + limits.initialPages() + " pages exceeds " + MAX_PAGES);
    }
    this.initialPages = limits.initialPages();
    this.maximumPages = Math.min(limits.maximumPages(), MAX_PAGES);
    this.heap = heap;
    this.size = initialPages * PAGE_SIZE;
    if (!heap.reserve(size)) {
      throw new ChicoryException(
          "initial memory of "
              + size
              + " bytes does not fit "
              + heap
              + "; the process cannot start");
    }
    this.bytes = new byte[size];
  }

  /** {@code addr} if {@code width} bytes from it are inside the memory; traps otherwise. */
  private int at(int addr, int width) {
    return index(addr, 0, width);
  }

  /**
   * The index of the {@code width} bytes at guest address {@code base + offset}, both unsigned,
   * {@code offset} below 2 GiB (the engine traps a larger one itself), if they are inside the
   * memory; traps otherwise. One {@code checkIndex} of {@code base}, against a bound that a loop
   * does not change (the instruction's offset is a constant): the JIT hoists it out of the loop.
   */
  private int index(int base, int offset, int width) {
    // Past offset > size nothing fits, and the subtraction could wrap.
    int room = offset > size ? 0 : size - offset - (width - 1);
    try {
      return Objects.checkIndex(base, room) + offset;
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(Integer.toUnsignedLong(base) + offset, width);
    }
  }

  // The guest's loads and stores (GuestAccess): the address is base + offset, checked once.

  byte load8(int base, int offset) {
    return HEAP.getByte(bytes, index(base, offset, 1));
  }

  short load16(int base, int offset) {
    return HEAP.getShort(bytes, index(base, offset, 2));
  }

  int load32(int base, int offset) {
    return HEAP.getInt(bytes, index(base, offset, 4));
  }

  long load64(int base, int offset) {
    return HEAP.getLong(bytes, index(base, offset, 8));
  }

  float loadF32(int base, int offset) {
    return HEAP.getFloat(bytes, index(base, offset, 4));
  }

  double loadF64(int base, int offset) {
    return HEAP.getDouble(bytes, index(base, offset, 8));
  }

  void store8(int base, int offset, byte value) {
    HEAP.putByte(bytes, index(base, offset, 1), value);
  }

  void store16(int base, int offset, short value) {
    HEAP.putShort(bytes, index(base, offset, 2), value);
  }

  void store32(int base, int offset, int value) {
    HEAP.putInt(bytes, index(base, offset, 4), value);
  }

  void store64(int base, int offset, long value) {
    HEAP.putLong(bytes, index(base, offset, 8), value);
  }

  void storeF32(int base, int offset, float value) {
    HEAP.putFloat(bytes, index(base, offset, 4), value);
  }

  void storeF64(int base, int offset, double value) {
    HEAP.putDouble(bytes, index(base, offset, 8), value);
  }

  private void checkRange(int addr, int length) {
    if (addr < 0 || length < 0 || addr > size - length) {
      throw outOfBounds(Integer.toUnsignedLong(addr), length);
    }
  }

  private WasmRuntimeException outOfBounds(long address, int width) {
    return new WasmRuntimeException(
        "out of bounds memory access: attempted to access address: "
            + address
            + " but limit is: "
            + size
            + " and size: "
            + width);
  }

  @Override
  public int pages() {
    return size / PAGE_SIZE;
  }

  @Override
  public int grow(int delta) {
    int old = pages();
    if (delta < 0 || delta > maximumPages - old) {
      return -1;
    }
    int newSize = (old + delta) * PAGE_SIZE;
    if (newSize > bytes.length) {
      // Doubling keeps a guest that grows a page at a time from copying its memory each time;
      // when the budget has no room for the doubled array, the exact size may still fit.
      long doubled = Math.min((long) bytes.length * 2, (long) maximumPages * PAGE_SIZE);
      long capacity = Math.max(newSize, doubled);
      if (!heap.reserve(capacity)) {
        capacity = newSize;
        if (!heap.reserve(capacity)) {
          return -1;
        }
      }
      int was = bytes.length;
      bytes = Arrays.copyOf(bytes, (int) capacity);
      heap.release(was);
    }
    size = newSize;
    return old;
  }

  /** The bytes this memory holds on the heap, as charged to its budget. */
  long capacity() {
    return bytes.length;
  }

  @Override
  public int initialPages() {
    return initialPages;
  }

  @Override
  public int maximumPages() {
    return maximumPages;
  }

  @Override
  public boolean shared() {
    return false;
  }

  /** One thread uses this memory, so the atomics' lock guards nothing but costs little. */
  @Override
  public Object lock(int address) {
    return this;
  }

  @Override
  public int waitOn(int address, int expected, long timeout) {
    throw new WasmRuntimeException("expected shared memory");
  }

  @Override
  public int waitOn(int address, long expected, long timeout) {
    throw new WasmRuntimeException("expected shared memory");
  }

  @Override
  public int notify(int address, int count) {
    at(address, 4);
    return 0;
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments) {
    segments = dataSegments == null ? new DataSegment[0] : dataSegments.clone();
    for (DataSegment segment : segments) {
      if (segment instanceof ActiveDataSegment active && active.index() == 0) {
        int offset =
            (int) ConstantEvaluators.computeConstantValue(instance, active.offsetInstructions())[0];
        byte[] data = active.data();
        write(offset, data, 0, data.length);
      } else if (!(segment instanceof ActiveDataSegment)
          && !(segment instanceof PassiveDataSegment)) {
        throw new ChicoryException("unknown data segment: " + segment);
      }
    }
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int length) {
    // write checks both the segment's range and the memory's.
    write(dest, segments[segmentId].data(), offset, length);
  }

  @Override
  public void drop(int segment) {
    segments[segment] = PassiveDataSegment.EMPTY;
  }

  @Override
  public void write(int addr, byte[] data, int offset, int length) {
    if (offset < 0 || length < 0 || offset > data.length - length) {
      throw outOfBounds(Integer.toUnsignedLong(offset), length);
    }
    checkRange(addr, length);
    System.arraycopy(data, offset, bytes, addr, length);
  }

  @Override
  public byte read(int addr) {
    return HEAP.getByte(bytes, at(addr, 1));
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public byte[] read(int addr, int length) {
    return readBytes(addr, length);
  }

  @Override
  public void writeI64(int addr, long value) {
    writeLong(addr, value);
  }

  @Override
  public byte[] readBytes(int addr, int length) {
    checkRange(addr, length);
    return Arrays.copyOfRange(bytes, addr, addr + length);
  }

  @Override
  public void writeI32(int addr, int value) {
    HEAP.putInt(bytes, at(addr, 4), value);
  }

  @Override
  public int readInt(int addr) {
    return HEAP.getInt(bytes, at(addr, 4));
  }

  @Override
  public void writeLong(int addr, long value) {
    HEAP.putLong(bytes, at(addr, 8), value);
  }

  @Override
  public long readLong(int addr) {
    return HEAP.getLong(bytes, at(addr, 8));
  }

  @Override
  public void writeShort(int addr, short value) {
    HEAP.putShort(bytes, at(addr, 2), value);
  }

  @Override
  public short readShort(int addr) {
    return HEAP.getShort(bytes, at(addr, 2));
  }

  @Override
  public long readU16(int addr) {
    return Short.toUnsignedLong(readShort(addr));
  }

  @Override
  public void writeByte(int addr, byte value) {
    HEAP.putByte(bytes, at(addr, 1), value);
  }

  @Override
  public void writeF32(int addr, float value) {
    HEAP.putFloat(bytes, at(addr, 4), value);
  }

  @Override
  public long readF32(int addr) {
    return readInt(addr);
  }

  @Override
  public float readFloat(int addr) {
    return HEAP.getFloat(bytes, at(addr, 4));
  }

  @Override
  public void writeF64(int addr, double value) {
    HEAP.putDouble(bytes, at(addr, 8), value);
  }

  @Override
  public double readDouble(int addr) {
    return HEAP.getDouble(bytes, at(addr, 8));
  }

  @Override
  public long readF64(int addr) {
    return readLong(addr);
  }

  @Override
  public void zero() {
    Arrays.fill(bytes, 0, size, (byte) 0);
  }

  /** Fills {@code [from, to)}; the memory.fill instruction's size is {@code to - from}. */
  @Override
  public void fill(byte value, int from, int to) {
    checkRange(from, to - from);
    Arrays.fill(bytes, from, to, value);
  }

  @Override
  public void copy(int dest, int src, int length) {
    checkRange(src, length);
    checkRange(dest, length);
    System.arraycopy(bytes, src, bytes, dest, length);
  }
}
