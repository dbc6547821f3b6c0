package dev.parigot.engine.chicory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.internal.misc.Unsafe;

/**
 * Little-endian loads and stores of a linear memory's array, at an index its {@link LinearMemory}
 * has already checked: {@code index + width <= size <= array.length}.
 *
 * <p>Two implementations, the same results. {@link #best()} picks the direct one when the JVM
 * exports {@code jdk.internal.misc} to this code ({@value JitOptions#DIRECT_ACCESS}, which the
 * parigot command and the tests pass): one machine load or store per access, with no second check
 * against the array's length. Otherwise the array views of {@link MethodHandles}, which check the
 * index again and give the JIT some 200 nodes to fold per access; a large guest function then
 * exhausts the JIT's inlining budget part-way through (RATIONALE.md, "Why does the kernel read
 * guest memory with Unsafe?").
 */
abstract sealed class HeapAccess permits HeapAccess.Direct, HeapAccess.Views {
  /** The direct access when this JVM allows it, the array views otherwise. */
  static HeapAccess best() {
    return directAllowed() ? new Direct() : new Views();
  }

  /** Whether this JVM exports {@code jdk.internal.misc} to this code. */
  static boolean directAllowed() {
    return Object.class.getModule().isExported("jdk.internal.misc", HeapAccess.class.getModule());
  }

  abstract byte getByte(byte[] array, int index);

  abstract short getShort(byte[] array, int index);

  abstract int getInt(byte[] array, int index);

  abstract long getLong(byte[] array, int index);

  abstract void putByte(byte[] array, int index, byte value);

  abstract void putShort(byte[] array, int index, short value);

  abstract void putInt(byte[] array, int index, int value);

  abstract void putLong(byte[] array, int index, long value);

  final float getFloat(byte[] array, int index) {
    return Float.intBitsToFloat(getInt(array, index));
  }

  final double getDouble(byte[] array, int index) {
    return Double.longBitsToDouble(getLong(array, index));
  }

  final void putFloat(byte[] array, int index, float value) {
    putInt(array, index, Float.floatToRawIntBits(value));
  }

  final void putDouble(byte[] array, int index, double value) {
    putLong(array, index, Double.doubleToRawLongBits(value));
  }

  /** {@code jdk.internal.misc.Unsafe}: loaded only when the JVM exports it to this code. */
  static final class Direct extends HeapAccess {
    private static final Unsafe UNSAFE = Unsafe.getUnsafe();
    private static final long BASE = Unsafe.ARRAY_BYTE_BASE_OFFSET;

    @Override
    byte getByte(byte[] array, int index) {
      return UNSAFE.getByte(array, BASE + index);
    }

    @Override
    short getShort(byte[] array, int index) {
      return UNSAFE.getShortUnaligned(array, BASE + index, false);
    }

    @Override
    int getInt(byte[] array, int index) {
      return UNSAFE.getIntUnaligned(array, BASE + index, false);
    }

    @Override
    long getLong(byte[] array, int index) {
      return UNSAFE.getLongUnaligned(array, BASE + index, false);
    }

    @Override
    void putByte(byte[] array, int index, byte value) {
      UNSAFE.putByte(array, BASE + index, value);
    }

    @Override
    void putShort(byte[] array, int index, short value) {
      UNSAFE.putShortUnaligned(array, BASE + index, value, false);
    }

    @Override
    void putInt(byte[] array, int index, int value) {
      UNSAFE.putIntUnaligned(array, BASE + index, value, false);
    }

    @Override
    void putLong(byte[] array, int index, long value) {
      UNSAFE.putLongUnaligned(array, BASE + index, value, false);
    }
  }

  /** The byte array views of {@link MethodHandles}, which check the index again. */
  static final class Views extends HeapAccess {
    private static final VarHandle SHORTS = view(short[].class);
    private static final VarHandle INTS = view(int[].class);
    private static final VarHandle LONGS = view(long[].class);

    private static VarHandle view(Class<?> arrayType) {
      return MethodHandles.byteArrayViewVarHandle(arrayType, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    byte getByte(byte[] array, int index) {
      return array[index];
    }

    @Override
    short getShort(byte[] array, int index) {
      return (short) SHORTS.get(array, index);
    }

    @Override
    int getInt(byte[] array, int index) {
      return (int) INTS.get(array, index);
    }

    @Override
    long getLong(byte[] array, int index) {
      return (long) LONGS.get(array, index);
    }

    @Override
    void putByte(byte[] array, int index, byte value) {
      array[index] = value;
    }

    @Override
    void putShort(byte[] array, int index, short value) {
      SHORTS.set(array, index, value);
    }

    @Override
    void putInt(byte[] array, int index, int value) {
      INTS.set(array, index, value);
    }

    @Override
    void putLong(byte[] array, int index, long value) {
      LONGS.set(array, index, value);
    }
  }
}
