package dev.parigot.cluster;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.services.KernelServices;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Calls one kernel service as the kernel does for a guest: through its {@link Provider}. */
final class ServiceClient {
  private static final long WAIT_SECONDS = 30;

  /** An ERROR answer: the status code and message. */
  static final class CallFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    CallFailed(int code, String message) {
      super(code + ": " + message);
      this.code = code;
    }
  }

  private final Provider provider;
  private final ServiceDescriptor service;
  private final Caller caller;

  ServiceClient(KernelServices services, ServiceDescriptor service, Caller caller) {
    this.provider = services.provider(service.getFullName()).orElseThrow();
    this.service = service;
    this.caller = caller;
  }

  /** A unary call's END, parsed; throws {@link CallFailed} for an ERROR. */
  <T extends Message> T unary(String method, Message request, Parser<T> parser) {
    var result = new CompletableFuture<byte[]>();
    provider.open(
        caller,
        method(method),
        request.toByteArray(),
        new Replies() {
          @Override
          public boolean partial(byte[] data) {
            return false;
          }

          @Override
          public boolean end(byte[] data) {
            return result.complete(data);
          }

          @Override
          public boolean fail(int code, byte[] message) {
            return result.completeExceptionally(
                new CallFailed(code, new String(message, StandardCharsets.UTF_8)));
          }
        });
    try {
      return parser.parseFrom(result.get(WAIT_SECONDS, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause();
    } catch (InterruptedException | TimeoutException | InvalidProtocolBufferException e) {
      throw new IllegalStateException(method, e);
    }
  }

  /** Opens a streaming call; its partials and its end arrive in the returned stream. */
  <T extends Message> Stream<T> stream(String method, Message request, Parser<T> parser) {
    var stream = new Stream<>(parser);
    stream.cancellation = provider.open(caller, method(method), request.toByteArray(), stream);
    return stream;
  }

  private int method(String name) {
    return service.findMethodByName(name).getIndex() + 1;
  }

  /** A streaming call in progress. */
  static final class Stream<T extends Message> implements Replies {
    private final Parser<T> parser;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    volatile Provider.Cancellation cancellation;

    Stream(Parser<T> parser) {
      this.parser = parser;
    }

    /** The next partial; throws {@link CallFailed} if the call failed instead. */
    T next() {
      Object e;
      try {
        e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(x);
      }
      if (e == null) {
        throw new IllegalStateException("no partial within " + WAIT_SECONDS + " s");
      }
      if (e instanceof CallFailed f) {
        throw f;
      }
      if (e instanceof Ended) {
        throw new IllegalStateException("the stream ended");
      }
      try {
        return parser.parseFrom((byte[]) e);
      } catch (InvalidProtocolBufferException x) {
        throw new IllegalStateException(x);
      }
    }

    /** Whether nothing has arrived yet (the call is still waiting). */
    boolean idle() {
      return events.isEmpty();
    }

    void cancel() {
      cancellation.cancel(Errno.CANCELLED);
    }

    @Override
    public boolean partial(byte[] data) {
      return events.add(data);
    }

    @Override
    public boolean end(byte[] data) {
      return events.add(new Ended());
    }

    @Override
    public boolean fail(int code, byte[] message) {
      return events.add(new CallFailed(code, new String(message, StandardCharsets.UTF_8)));
    }

    private record Ended() {}
  }
}
