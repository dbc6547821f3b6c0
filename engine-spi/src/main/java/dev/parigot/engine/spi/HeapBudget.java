package dev.parigot.engine.spi;

/**
 * The host's budget for what a guest makes the engine allocate on the heap: its linear memory and
 * its tables. The engine asks before each allocation (at instantiation, {@code memory.grow} and
 * {@code table.grow}) and gives bytes back when it frees them while the guest runs; what it still
 * holds when the run ends the host releases itself. A refused instantiation fails the run as a
 * trap; a refused grow returns -1 to the guest, as wasm specifies for any failed grow.
 *
 * <p>Called on the guest's thread only.
 */
public interface HeapBudget {
  /** A budget that admits everything: for hosts that do not count. */
  HeapBudget UNLIMITED =
      new HeapBudget() {
        @Override
        public boolean reserve(long bytes) {
          return true;
        }

        @Override
        public void release(long bytes) {}

        @Override
        public String toString() {
          return "no memory budget";
        }
      };

  /**
   * Charges {@code bytes} the engine is about to allocate.
   *
   * @return false if the budget cannot hold them; nothing is charged then
   */
  boolean reserve(long bytes);

  /** Gives back {@code bytes} charged by {@link #reserve} that the engine no longer holds. */
  void release(long bytes);

  /** Names the budget, for the message of a refused instantiation. */
  @Override
  String toString();
}
