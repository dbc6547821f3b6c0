/** The benchmark suite: the kernel against its floor and its peers (run by scripts/bench). */
module dev.parigot.bench {
  requires dev.parigot.kernel;
  requires dev.parigot.services;
  requires dev.parigot.cluster;
  requires io.nats.jnats;
  requires dev.parigot.tracing;
  requires io.opentelemetry.sdk.common;
  requires io.opentelemetry.sdk.trace;
  requires jmh.core;
  requires HdrHistogram;
  requires io.grpc;
  requires io.grpc.stub;
  requires io.grpc.protobuf;
  requires io.grpc.netty.shaded;
  requires com.google.protobuf;
  requires java.management;
}
