package dev.parigot.kernel.core;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A process's handle table: positive int keys to objects, by open addressing with linear probing.
 * Every call adds and removes one or two handles, so this avoids what a {@code
 * HashMap<Integer,Object>} allocates per entry (a boxed key and a node). Handles only grow and are
 * never reused, so a plain array indexed by handle would need a window that a long-held handle pins
 * open; a hash of the number does not care how far apart live handles are. Owner thread only.
 */
final class HandleTable {
  private static final int MIN_CAPACITY = 16;

  // 0 marks a free slot: handles start at 1.
  private int[] keys = new int[MIN_CAPACITY];
  private Object[] values = new Object[MIN_CAPACITY];
  private int size;

  int size() {
    return size;
  }

  /** The object under {@code handle}, or null. */
  Object get(int handle) {
    if (handle <= 0) {
      return null;
    }
    int mask = keys.length - 1;
    for (int i = slot(handle, mask); ; i = (i + 1) & mask) {
      int k = keys[i];
      if (k == handle) {
        return values[i];
      }
      if (k == 0) {
        return null;
      }
    }
  }

  /** Puts a new handle; handles are never reused, so it is not in the table yet. */
  void put(int handle, Object value) {
    if (handle <= 0 || value == null) {
      throw new IllegalArgumentException("handle " + handle);
    }
    // At most half full, which keeps probe runs short.
    if (2 * (size + 1) > keys.length) {
      resize(keys.length * 2);
    }
    insert(handle, value);
    size++;
  }

  /** Removes {@code handle} if present. */
  void remove(int handle) {
    if (handle <= 0) {
      return;
    }
    int mask = keys.length - 1;
    int i = slot(handle, mask);
    while (keys[i] != handle) {
      if (keys[i] == 0) {
        return;
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move later entries of the run into the hole, so no tombstones.
    int hole = i;
    for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      // Entry j may move to the hole if its home is not cyclically within (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    values[hole] = null;
    size--;
    if (keys.length > MIN_CAPACITY && 8 * size < keys.length) {
      resize(keys.length / 2);
    }
  }

  /** Each object in the table, in no particular order. */
  void forEach(Consumer<Object> action) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != 0) {
        action.accept(values[i]);
      }
    }
  }

  void clear() {
    Arrays.fill(keys, 0);
    Arrays.fill(values, null);
    size = 0;
  }

  private void insert(int handle, Object value) {
    int mask = keys.length - 1;
    int i = slot(handle, mask);
    while (keys[i] != 0) {
      i = (i + 1) & mask;
    }
    keys[i] = handle;
    values[i] = value;
  }

  private void resize(int capacity) {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[capacity];
    values = new Object[capacity];
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        insert(oldKeys[i], oldValues[i]);
      }
    }
  }

  /** Fibonacci hashing, high bits folded down: consecutive handles spread over the table. */
  private static int slot(int handle, int mask) {
    int h = handle * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask;
  }
}
