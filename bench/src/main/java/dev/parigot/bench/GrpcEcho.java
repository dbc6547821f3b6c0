package dev.parigot.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The peer: the echo service as a plain gRPC-java microservice on loopback, with the defaults a
 * user gets (Netty transport, default executors, protobuf messages). The message is a {@link
 * BytesValue}, protobuf's own wrapper type, so no generated code is needed; the method descriptor
 * is built by hand.
 */
public final class GrpcEcho implements AutoCloseable {
  static final MethodDescriptor<BytesValue, BytesValue> ECHO =
      MethodDescriptor.<BytesValue, BytesValue>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.v1.Echo", "Echo"))
          .setRequestMarshaller(ProtoUtils.marshaller(BytesValue.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(BytesValue.getDefaultInstance()))
          .build();

  private final Server server;
  private final ManagedChannel channel;
  private final BytesValue request = BytesValue.of(ByteString.copyFrom(new byte[64]));

  public GrpcEcho() {
    var service =
        ServerServiceDefinition.builder("bench.v1.Echo")
            .addMethod(
                ECHO,
                ServerCalls.asyncUnaryCall((req, reply) -> {
                  reply.onNext(req);
                  reply.onCompleted();
                }))
            .build();
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .addService(service)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the gRPC server", e);
    }
    channel =
        NettyChannelBuilder.forAddress(
                InetAddress.getLoopbackAddress().getHostAddress(), server.getPort())
            .usePlaintext()
            .build();
  }

  /** One blocking 64-byte echo call; returns the reply's size. */
  public int roundTrip() {
    return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, request)
        .getValue()
        .size();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
