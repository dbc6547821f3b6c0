package dev.parigot.cluster;

import java.io.ByteArrayOutputStream;

/** Joins the chunks of one message, refusing more than a bound. Not thread-safe. */
final class Joiner {
  private final long max;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Joiner(long max) {
    this.max = max;
  }

  /** Adds a chunk; false when the message would pass the bound. */
  boolean add(byte[] chunk) {
    if (out.size() + (long) chunk.length > max) {
      return false;
    }
    out.writeBytes(chunk);
    return true;
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
