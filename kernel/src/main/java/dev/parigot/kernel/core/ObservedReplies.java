package dev.parigot.kernel.core;

import dev.parigot.abi.Errno;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.kernel.spi.CallObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The replies of a call made from Java, told to the {@link CallObserver} when the call ends: by the
 * provider's end or error, or by the caller's cancellation, whichever comes first.
 */
final class ObservedReplies implements Replies {
  private final Replies replies;
  private final CallObserver.Call observed;
  private final AtomicBoolean ended = new AtomicBoolean();

  ObservedReplies(Replies replies, CallObserver.Call observed) {
    this.replies = replies;
    this.observed = observed;
  }

  /** The caller's cancellation of {@code provider}'s side, which also ends the observed call. */
  Provider.Cancellation cancellation(Provider.Cancellation provider) {
    return reason -> {
      end(reason.negative());
      provider.cancel(reason);
    };
  }

  private void end(int code) {
    if (ended.compareAndSet(false, true)) {
      observed.ended(code);
    }
  }

  @Override
  public boolean partial(byte[] data) {
    return replies.partial(data);
  }

  @Override
  public Optional<Duration> timeLeft() {
    return replies.timeLeft();
  }

  @Override
  public boolean isReady() {
    return replies.isReady();
  }

  @Override
  public void onReady(Runnable callback) {
    replies.onReady(callback);
  }

  @Override
  public boolean end(byte[] data) {
    boolean taken = replies.end(data);
    end(taken ? 0 : Errno.WOULD_EXCEED_LIMIT.negative());
    return taken;
  }

  @Override
  public boolean fail(int code, byte[] message) {
    boolean taken = replies.fail(code, message);
    end(code);
    return taken;
  }
}
