package dev.parigot.engine.spi;

/**
 * The kernel's side of the ABI for one process: what each import of module {@link
 * dev.parigot.abi.Abi#IMPORT_MODULE} calls, with the arguments as the guest passed them.
 * docs/abi.md specifies each call and its errors; every method returns a value or a negative errno,
 * or throws an {@link Unwind} to end the guest (a bad pointer, the exit call, a kill). Called only
 * on the thread running the guest.
 *
 * <p>An engine calls {@link #enterKernel} before every host function it gives the guest, WASI's
 * included, and {@link #preempted} at a call or loop back-edge of guest code after {@link
 * Guest#preempt}: these are where the kernel takes back control from a running guest.
 */
public interface AbiHost {
  /**
   * Control passes from the guest to a host function; may yield the thread's carrier or throw an
   * {@link Unwind}.
   */
  void enterKernel();

  /**
   * The guest reached a poll after {@link Guest#preempt}; may yield the thread's carrier or throw
   * an {@link Unwind}.
   */
  void preempted();

  int locate(int namePtr, int nameLen);

  int export(int namePtr, int nameLen);

  int call(int service, int method, int reqPtr, int reqLen, long timeoutMs);

  int await(int eventsPtr, int maxEvents, int bufPtr, int bufLen, long timeoutMs);

  int reply(int callId, int flags, int ptr, int len);

  int fail(int callId, int code, int msgPtr, int msgLen);

  int cancel(int handle);

  int spawn(int entryPtr, int entryLen, int argPtr, int argLen);

  int send(int handle, int ptr, int len);

  /**
   * The exit call: returns the {@link Unwind} that the engine throws to end the guest with {@code
   * code}.
   */
  Unwind exit(int code);
}
