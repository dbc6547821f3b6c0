package dev.parigot.services;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.parigot.kernel.Caller;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.Replies;
import dev.parigot.services.proto.StatusProto.Code;
import dev.parigot.services.store.StoreException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * Serves one proto service as a kernel {@link Provider}: the framework under every kernel service.
 *
 * <p>Method numbers are taken from the service's descriptor (1-based, in declaration order), never
 * written by hand, so they always match what the C generator derives from the same file. For each
 * call it decodes the request with the method's input type on a fresh service thread, runs the
 * handler there, and turns what the handler does into replies:
 *
 * <ul>
 *   <li>an unknown method number: UNIMPLEMENTED; an undecodable request: INVALID_ARGUMENT;
 *   <li>a returned message: END with it; null: the handler answers later itself (timers, and
 *       streams, which go at the caller's pace through {@link Call#stream});
 *   <li>a thrown {@link Failure} or {@link StoreException}: ERROR with its code and message;
 *   <li>a full disk ({@link DiskFull}): RESOURCE_EXHAUSTED, and a log record without a trace;
 *   <li>an interrupt after cancellation: nothing (the caller is gone);
 *   <li>anything else thrown: INTERNAL with a message, and a log record with the stack trace. No
 *       exception reaches the kernel.
 * </ul>
 */
final class Dispatcher implements Provider {
  private static final System.Logger LOG = System.getLogger("dev.parigot.services");

  /** Handles one method. */
  @FunctionalInterface
  interface Handler<R extends Message> {
    /**
     * Handles a decoded, not yet validated, request.
     *
     * @return the END result, or null if the handler answers through {@code call} itself
     */
    Message handle(Call call, R request) throws Exception;
  }

  private record Route(String name, Message prototype, Handler<Message> handler) {}

  private final ServiceDescriptor service;
  private final List<Route> routes;
  private final ThreadFactory threads;
  private volatile boolean closed;

  private Dispatcher(ServiceDescriptor service, List<Route> routes, ThreadFactory threads) {
    this.service = service;
    this.routes = routes;
    this.threads = threads;
  }

  static Builder of(ServiceDescriptor service, ThreadFactory threads) {
    return new Builder(service, threads);
  }

  /** The service's full name, e.g. {@code parigot.kv.v1.KV}. */
  String name() {
    return service.getFullName();
  }

  /** Refuses new calls with UNAVAILABLE from now on: the services are shutting down. */
  void close() {
    closed = true;
  }

  @Override
  public Cancellation open(Caller caller, int method, byte[] request, Replies replies) {
    if (method < 1 || method > routes.size()) {
      fail(
          replies,
          Code.UNIMPLEMENTED,
          name() + " has no method " + method + "; its methods are 1 to " + routes.size());
      return reason -> {};
    }
    Route route = routes.get(method - 1);
    var call = new Call(caller, name() + "." + route.name(), replies, threads);
    if (closed) {
      call.fail(Code.UNAVAILABLE, name() + " is shutting down");
      return reason -> {};
    }
    Thread thread = threads.newThread(() -> run(call, route, request));
    call.handler(thread);
    thread.start();
    return call::cancel;
  }

  private void run(Call call, Route route, byte[] request) {
    try {
      Message decoded;
      try {
        decoded = route.prototype().getParserForType().parseFrom(request);
      } catch (InvalidProtocolBufferException e) {
        call.fail(
            Code.INVALID_ARGUMENT,
            "malformed "
                + call.method()
                + " request ("
                + request.length
                + " bytes): "
                + e.getMessage());
        return;
      }
      Message result = route.handler().handle(call, decoded);
      if (result != null) {
        call.end(result);
      }
    } catch (Throwable t) {
      failed(call, t);
    }
  }

  /** Ends {@code call} for what its handler (or a step of its stream) threw, as listed above. */
  static void failed(Call call, Throwable thrown) {
    switch (thrown) {
      case Failure f -> call.fail(f.code(), f.getMessage());
      case StoreException e -> call.fail(e.code(), e.getMessage());
      case Throwable t when DiskFull.is(t) -> {
        LOG.log(Level.WARNING, call.method() + " for " + call.caller().process() + ": " + t);
        call.fail(Code.RESOURCE_EXHAUSTED, call.method() + ": the disk is full");
      }
      case InterruptedException e when call.cancelled() -> {}
      default -> internal(call, thrown);
    }
  }

  private static void internal(Call call, Throwable t) {
    LOG.log(Level.ERROR, call.method() + " failed for " + call.caller().process(), t);
    call.fail(Code.INTERNAL, call.method() + ": internal error: " + t);
  }

  private static void fail(Replies replies, Code code, String message) {
    replies.fail(code.getNumber(), message.getBytes(StandardCharsets.UTF_8));
  }

  /** Binds every method of a service to a handler. */
  static final class Builder {
    private final ServiceDescriptor service;
    private final ThreadFactory threads;
    private final Map<String, Route> routes = new HashMap<>();

    private Builder(ServiceDescriptor service, ThreadFactory threads) {
      this.service = service;
      this.threads = threads;
    }

    /**
     * Binds method {@code name}, whose input type must be {@code prototype}'s.
     *
     * @throws IllegalStateException if the service has no such method or its input type differs
     */
    @SuppressWarnings("unchecked")
    <R extends Message> Builder on(String name, R prototype, Handler<R> handler) {
      MethodDescriptor m = service.findMethodByName(name);
      if (m == null || m.getInputType() != prototype.getDescriptorForType()) {
        throw new IllegalStateException(
            service.getFullName()
                + " has no method "
                + name
                + " taking "
                + prototype.getDescriptorForType().getFullName());
      }
      routes.put(name, new Route(name, prototype, (Handler<Message>) handler));
      return this;
    }

    /**
     * The dispatcher.
     *
     * @throws IllegalStateException if a method of the service has no handler
     */
    Dispatcher build() {
      List<Route> ordered =
          service.getMethods().stream()
              .map(m -> {
                Route r = routes.get(m.getName());
                if (r == null) {
                  throw new IllegalStateException(
                      service.getFullName() + "." + m.getName() + " has no handler");
                }
                return r;
              })
              .toList();
      return new Dispatcher(service, ordered, threads);
    }
  }
}
