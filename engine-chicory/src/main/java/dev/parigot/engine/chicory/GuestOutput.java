package dev.parigot.engine.chicory;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A guest's stdout or stderr: cut into lines, each handed to the kernel's output sink without its
 * {@code \n} (or {@code \r\n}). A line longer than {@link #MAX_LINE} bytes is cut into pieces of
 * that size, so that a guest cannot grow kernel memory by never writing a newline. Used by its
 * process's thread only.
 */
final class GuestOutput extends OutputStream {
  static final int MAX_LINE = 16 * 1024;

  private final Consumer<String> lines;
  // Grows up to MAX_LINE: most processes write short lines or none.
  private byte[] line = new byte[128];
  private int length;

  GuestOutput(Consumer<String> lines) {
    this.lines = lines;
  }

  @Override
  public void write(int b) {
    if (b == '\n') {
      emit();
    } else {
      append(new byte[] {(byte) b}, 0, 1);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int end = off + len;
    while (off < end) {
      int newline = off;
      while (newline < end && b[newline] != '\n') {
        newline++;
      }
      append(b, off, newline);
      if (newline < end) {
        emit();
      }
      off = newline + 1;
    }
  }

  /** Emits what is left of an unfinished line. */
  @Override
  public void close() {
    if (length > 0) {
      emit();
    }
  }

  private void append(byte[] b, int from, int to) {
    while (from < to) {
      if (length == MAX_LINE) {
        emit();
      } else if (length == line.length) {
        line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
      }
      int n = Math.min(to - from, line.length - length);
      System.arraycopy(b, from, line, length, n);
      length += n;
      from += n;
    }
  }

  private void emit() {
    int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
    length = 0;
    lines.accept(new String(line, 0, end, StandardCharsets.UTF_8));
  }
}
