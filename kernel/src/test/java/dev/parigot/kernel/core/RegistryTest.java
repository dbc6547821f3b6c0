package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parigot.abi.Errno;
import dev.parigot.errors.DeniedException;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The kernel's names, as {@link dev.parigot.kernel.ServiceRegistry} promises them. */
class RegistryTest {
  private static final Caller CALLER = new Caller("test", "java", 0);
  private static final String NAME = "test.v1.Greeter";

  private final Registry registry = new Registry();

  /** A provider that answers every call with its own word. */
  private static Provider saying(String word) {
    return (caller, method, request, replies) -> {
      replies.end(word.getBytes(StandardCharsets.UTF_8));
      return reason -> {};
    };
  }

  @Test
  void aRegisteredNameIsLookedUpAndListedUntilItsRegistrationCloses() {
    Provider p = saying("hi");
    var registration = registry.register(NAME, p);
    assertThat(registry.lookup(NAME)).contains(p);
    assertThat(registry.names()).containsExactly(NAME);

    registration.close();
    registration.close();
    assertThat(registry.lookup(NAME)).isEmpty();
    assertThat(registry.names()).isEmpty();
    assertThat(registry.route(NAME)).isEmpty();
  }

  @Test
  void aNameServedTwiceIsDeniedAndAMalformedNameRefused() {
    registry.register(NAME, saying("one"));
    assertThatThrownBy(() -> registry.register(NAME, saying("two")))
        .isInstanceOf(DeniedException.class)
        .hasMessage(NAME + " is already served here");
    assertThatThrownBy(() -> registry.register("9bad name", saying("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a service name");
  }

  @Test
  void aRouteReachesWhoeverServesTheNameWhenTheCallIsMade() {
    var first = registry.register(NAME, saying("first"));
    Registry.Route route = registry.route(NAME).orElseThrow();
    assertThat(call(route)).isEqualTo("END 0 first");

    first.close();
    assertThat(call(route))
        .isEqualTo(
            "ERROR " + Errno.NO_SUCH_SERVICE.negative() + " nothing serves " + NAME + " now");

    registry.register(NAME, saying("second"));
    assertThat(call(route)).isEqualTo("END 0 second");
  }

  @Test
  void closingAnOldRegistrationDoesNotWithdrawItsSuccessor() {
    var old = registry.register(NAME, saying("old"));
    old.close();
    Provider successor = saying("new");
    registry.register(NAME, successor);
    old.close();
    assertThat(registry.lookup(NAME)).contains(successor);
  }

  @Test
  void aWatchCompletesWhenTheNameIsServedAndAgainOnlyAfterItComesBack() {
    CompletableFuture<Void> early = registry.served(NAME);
    assertThat(early).isNotDone();
    var registration = registry.register(NAME, saying("hi"));
    assertThat(early).isCompleted();
    assertThat(registry.served(NAME)).isCompleted();

    registration.close();
    CompletableFuture<Void> later = registry.served(NAME);
    assertThat(later).isNotDone();
    later.cancel(false);
    assertThat(registry.served(NAME)).as("cancelling one watch ends only that one").isNotDone();
    registry.register(NAME, saying("back"));
    assertThat(registry.served(NAME)).isCompleted();
  }

  private static String call(Provider route) {
    var answer = new CompletableFuture<String>();
    route.open(
        CALLER,
        1,
        new byte[0],
        new Replies() {
          @Override
          public boolean partial(byte[] data) {
            return false;
          }

          @Override
          public boolean end(byte[] data) {
            return answer.complete("END 0 " + new String(data, StandardCharsets.UTF_8));
          }

          @Override
          public boolean fail(int code, byte[] message) {
            return answer.complete(
                "ERROR " + code + " " + new String(message, StandardCharsets.UTF_8));
          }
        });
    assertThat(answer).as("answered at once").isDone();
    return answer.join();
  }
}
