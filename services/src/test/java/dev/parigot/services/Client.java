package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.parigot.abi.Errno;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.services.proto.StatusProto.Code;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Calls a service through the Provider SPI, as the kernel would, and reads its answers. */
final class Client {
  final Provider provider;
  final ServiceDescriptor service;
  final Caller caller;

  Client(Provider provider, ServiceDescriptor service, Caller caller) {
    this.provider = provider;
    this.service = service;
    this.caller = caller;
  }

  /** The same service seen from another caller. */
  Client as(Caller other) {
    return new Client(provider, service, other);
  }

  /** The wire number of a method: 1-based in declaration order. */
  int method(String name) {
    return service.findMethodByName(name).getIndex() + 1;
  }

  Call call(String method, Message request) {
    return call(method(method), request.toByteArray());
  }

  Call call(int method, byte[] request) {
    return call(method, request, new Call());
  }

  /** Makes a call whose answers go to {@code call}: one made not ready, say. */
  Call call(String method, Message request, Call call) {
    return call(method(method), request.toByteArray(), call);
  }

  private Call call(int method, byte[] request, Call call) {
    call.cancellation = provider.open(caller, method, request, call);
    return call;
  }

  /** A unary call that must END: its decoded result. */
  <T extends Message> T unary(String method, Message request, Parser<T> parser) {
    return call(method, request).end(parser);
  }

  /** One answer: kind, application code (0 unless an error), payload. */
  record Answer(String kind, int code, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** A call in progress. */
  static final class Call implements Replies {
    final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    volatile Provider.Cancellation cancellation;

    /** When false, partial() refuses, as a caller whose queue overflowed. */
    volatile boolean accepting = true;

    // Guarded by this: whether the caller says it is ready, and the callback waiting for it.
    private boolean ready = true;
    private Runnable waiting;

    /** Completes when a provider registers an onReady callback that does not run at once. */
    final CompletableFuture<Void> awaited = new CompletableFuture<>();

    @Override
    public synchronized boolean isReady() {
      return ready;
    }

    @Override
    public void onReady(Runnable callback) {
      synchronized (this) {
        if (!ready) {
          waiting = callback;
          awaited.complete(null);
          return;
        }
      }
      callback.run();
    }

    /** Makes the caller ready or not; becoming ready runs the waiting callback, if any. */
    void ready(boolean now) {
      Runnable r;
      synchronized (this) {
        ready = now;
        r = now ? waiting : null;
        if (now) {
          waiting = null;
        }
      }
      if (r != null) {
        r.run();
      }
    }

    @Override
    public boolean partial(byte[] data) {
      if (!accepting) {
        return false;
      }
      answers.add(new Answer("PARTIAL", 0, data));
      return true;
    }

    @Override
    public boolean end(byte[] data) {
      answers.add(new Answer("END", 0, data));
      return true;
    }

    @Override
    public boolean fail(int code, byte[] message) {
      answers.add(new Answer("ERROR", code, message));
      return true;
    }

    Answer next() {
      try {
        Answer a = answers.poll(30, TimeUnit.SECONDS);
        if (a == null) {
          throw new AssertionError("no answer within 30 s");
        }
        return a;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    /** True if nothing arrives within {@code millis}: for "still waiting" checks only. */
    boolean quietFor(long millis) throws InterruptedException {
      Answer a = answers.poll(millis, TimeUnit.MILLISECONDS);
      if (a != null) {
        throw new AssertionError("unexpected answer " + a.kind() + " " + a.code() + " " + a.text());
      }
      return true;
    }

    <T extends Message> T end(Parser<T> parser) {
      Answer a = next();
      assertThat(a.kind()).as("answer %s %s", a.code(), a.text()).isEqualTo("END");
      return parse(parser, a);
    }

    <T extends Message> T partial(Parser<T> parser) {
      Answer a = next();
      assertThat(a.kind()).as("answer %s %s", a.code(), a.text()).isEqualTo("PARTIAL");
      return parse(parser, a);
    }

    /** The ERROR this call must end with; returns its message. */
    String error(Code code) {
      Answer a = next();
      assertThat(a.kind()).as("answer %s", a.text()).isEqualTo("ERROR");
      assertThat(a.code()).as("code of error '%s'", a.text()).isEqualTo(code.getNumber());
      return a.text();
    }

    void cancel() {
      cancellation.cancel(Errno.CANCELLED);
    }

    private static <T extends Message> T parse(Parser<T> parser, Answer a) {
      try {
        return parser.parseFrom(a.payload());
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
  }
}
