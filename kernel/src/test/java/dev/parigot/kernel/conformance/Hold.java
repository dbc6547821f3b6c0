package dev.parigot.kernel.conformance;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Java service that answers nothing by itself: each call is handed to the test, which answers it
 * (or not) through {@link Call#replies} and sees whether and why the caller cancelled it.
 */
final class Hold implements Provider {
  static final String NAME = "parigot.test.v1.Hold";

  /** One call: what was asked, where to answer, and the reason it was cancelled, if it was. */
  record Call(int method, byte[] request, Replies replies, CompletableFuture<Errno> cancelled) {
    /** Answers with a partial result; false once the call is finished. */
    boolean partial(String data) {
      return replies.partial(data.getBytes(StandardCharsets.UTF_8));
    }

    boolean end(String data) {
      return replies.end(data.getBytes(StandardCharsets.UTF_8));
    }

    /** Why the caller gave up the call, waiting up to 30 s for it. */
    Errno cancellation() throws Exception {
      try {
        return cancelled.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("the call was not cancelled within 30 s", e);
      }
    }
  }

  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    var call = new Call(method, request, replies, new CompletableFuture<>());
    calls.add(call);
    return call.cancelled::complete;
  }

  /** The next call, waiting up to 30 s; fails the test if none comes. */
  Call next() throws InterruptedException {
    Call c = calls.poll(30, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no call reached " + NAME + " within 30 s");
    }
    return c;
  }

  /** True if no call arrives within {@code millis}. */
  boolean quietFor(long millis) throws InterruptedException {
    return calls.poll(millis, TimeUnit.MILLISECONDS) == null;
  }
}
