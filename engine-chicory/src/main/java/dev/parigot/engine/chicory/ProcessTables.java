package dev.parigot.engine.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableFactory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import dev.parigot.engine.spi.HeapBudget;

/**
 * Makes one process's tables: each with limits of its own, and all of them together holding at most
 * {@link #MAX_ENTRIES} entries, so that table.grow past that returns -1.
 *
 * <p>Chicory 1.7.5's {@code TableInstance.grow} records the new size in its {@link Table}'s {@link
 * TableLimits}, and by default that is the parsed module's, shared by every instance: the next
 * process of the module would start with the grown size. So each table gets a copy.
 *
 * <p>Entries are charged to the process's {@link HeapBudget}, {@link #ENTRY_BYTES} each, before
 * they are made: a table the budget refuses at instantiation fails it, a grow it refuses returns
 * -1.
 */
final class ProcessTables implements TableFactory {
  /** Table entries a process may have in all, at start and after table.grow. */
  static final long MAX_ENTRIES = 1_000_000;

  /** What an entry costs: an {@code int} and an instance reference, at most 12 bytes. */
  static final long ENTRY_BYTES = 12;

  private final HeapBudget heap;

  // The process's thread only: tables are made while it instantiates and grown while it runs.
  private long entries;

  ProcessTables(HeapBudget heap) {
    this.heap = heap;
  }

  @Override
  public TableInstance create(Table table, int init) {
    TableLimits shared = table.limits();
    if (!heap.reserve(shared.min() * ENTRY_BYTES)) {
      throw new ChicoryException(
          "a table of "
              + shared.min()
              + " entries does not fit "
              + heap
              + "; the process cannot start");
    }
    // The loader refused a module whose tables start with more than MAX_ENTRIES in all.
    entries += shared.min();
    var own = new TableLimits(shared.min(), shared.max(), shared.shared());
    return new Bounded(new Table(table.elementType(), own, table.initialize()), init);
  }

  /** A table whose growth counts against the process's entries. */
  private final class Bounded extends TableInstance {
    Bounded(Table table, int init) {
      super(table, init);
    }

    @Override
    public int grow(int delta, int value, Instance instance) {
      if (delta < 0 || delta > MAX_ENTRIES - entries || !heap.reserve(delta * ENTRY_BYTES)) {
        return -1;
      }
      int old = super.grow(delta, value, instance);
      if (old >= 0) {
        entries += delta;
      } else {
        heap.release(delta * ENTRY_BYTES);
      }
      return old;
    }
  }
}
