package dev.parigot.engine.spi;

/**
 * A guest's linear memory, as the host reads and writes it. Ranges are the caller's to check
 * against {@link #size}: outside it, these methods throw an unchecked exception of the engine's.
 */
public interface GuestMemory {
  /** The memory's current size in bytes. */
  long size();

  /** A copy of {@code length} bytes from {@code address}. */
  byte[] read(int address, int length);

  /** Copies {@code length} bytes of {@code data} from {@code offset} to {@code address}. */
  void write(int address, byte[] data, int offset, int length);

  /** Writes a little-endian 32-bit integer. */
  void writeI32(int address, int value);

  /** Writes a little-endian 64-bit integer. */
  void writeI64(int address, long value);
}
